using GovernancePortal.Identity;
using Microsoft.AspNetCore.Mvc;

namespace GovernancePortal.Components.Layout;

/// <summary>
/// Light or dark, as each person chose: kept in a cookie on their browser for a year, read by App.razor on every page
/// and switched by a plain form post, so it works the same on static and interactive pages.
/// </summary>
public static class ThemePreference
{
    public const string CookieName = "gp.theme";
    public const string Path = "/preferences/theme";

    public static bool IsDark(HttpRequest request) => request.Cookies[CookieName] == "dark";

    public static IEndpointRouteBuilder MapThemePreference(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Switch).RequireAuthorization(Policies.SignedIn).ExcludeFromDescription();
        return app;
    }

    private static IResult Switch([FromForm] string mode, [FromForm] string? returnUrl, HttpContext context)
    {
        if (mode is not ("dark" or "light"))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown theme", detail: "The theme is 'dark' or 'light'.");
        }
        context.Response.Cookies.Append(CookieName, mode, new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(365),
        });
        // Only back to a page of this portal.
        return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/");
    }
}
