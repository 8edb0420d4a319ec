using System.Security.Claims;
using GovernancePortal.Identity;

namespace GovernancePortal.Notifications;

public sealed record NotificationResponse(Guid Id, string Kind, string Title, string Body, string Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt,
    DateTimeOffset? DoneAt);

/// <summary><c>/api/v1/notifications</c>: the caller's own in-app notifications, newest first.</summary>
public static class NotificationApi
{
    public static RouteGroupBuilder MapNotificationApi(this RouteGroupBuilder api)
    {
        api.MapGet("/notifications", ListAsync).RequireAuthorization(Policies.Reader).WithTags("Notifications").WithName("ListNotifications")
            .Produces<List<NotificationResponse>>();
        return api;
    }

    internal static async Task<IResult> ListAsync(ClaimsPrincipal user, NotificationInbox inbox, string? unread, CancellationToken cancellationToken)
    {
        if (unread is not null && !bool.TryParse(unread, out _))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["unread"] = ["Use true or false."] });
        }
        var items = await inbox.ListAsync(NotificationInbox.Username(user), unread is not null && bool.Parse(unread), cancellationToken);
        return TypedResults.Ok(items.Select(n => new NotificationResponse(n.Id, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt, n.DoneAt)).ToList());
    }
}
