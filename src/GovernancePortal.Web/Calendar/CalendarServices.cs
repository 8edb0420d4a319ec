using Microsoft.AspNetCore.Http.HttpResults;

namespace GovernancePortal.Calendar;

public static class CalendarServices
{
    public static IServiceCollection AddCalendarFeeds(this IServiceCollection services) => services.AddScoped<CalendarFeeds>();

    /// <summary>
    /// <c>GET /calendar/{token}.ics</c>: calendar clients fetch without signing in, so the secret token in the address is the
    /// credential; an unknown or revoked one is 404 and tells nothing about whose it was.
    /// </summary>
    public static IEndpointRouteBuilder MapCalendarFeeds(this IEndpointRouteBuilder app)
    {
        app.MapGet("/calendar/{token}.ics", FeedAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    internal static async Task<Results<ContentHttpResult, NotFound>> FeedAsync(string token, HttpContext http, CalendarFeeds feeds)
    {
        var feed = await feeds.FeedAsync(token, $"{http.Request.Scheme}://{http.Request.Host}", http.RequestAborted);
        if (feed is null)
        {
            return TypedResults.NotFound();
        }
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Content(feed, "text/calendar; charset=utf-8");
    }
}
