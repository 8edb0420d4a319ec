namespace GovernancePortal.Notifications;

/// <summary>How a person wants e-mail about one kind of event. The in-app inbox lists every notification either way.</summary>
public enum DeliveryMode
{
    Immediately,
    Digest,
    Off,
}

/// <summary>A kind of event people can choose about, grouped for the preferences page.</summary>
/// <param name="WaitsOnYou">Something the recipient has to act on: e-mailed at once unless they choose otherwise.</param>
public sealed record NotificationKind(string Kind, string Group, string Label, bool WaitsOnYou)
{
    public DeliveryMode Default => WaitsOnYou ? DeliveryMode.Immediately : DeliveryMode.Digest;
}

/// <summary>
/// Every kind of notification the portal sends, with its default: immediately for what waits on the person (a decision,
/// a review, an overdue review or a retirement they own), a daily digest for the rest.
/// </summary>
public static class NotificationKinds
{
    public const string Digest = "notification.digest";

    public static readonly IReadOnlyList<NotificationKind> All =
    [
        new("promotion.needs-approval", "Approvals", "A promotion request waits for your decision", true),
        new("promotion.approved-by", "Approvals", "Someone approved your request (more approvals needed)", false),
        new("promotion.approved", "Approvals", "Your request was approved", false),
        new("promotion.rejected", "Approvals", "Your request was rejected", false),
        new("promotion.withdrawn", "Approvals", "Your request was withdrawn", false),
        new("promotion.expired", "Approvals", "Your request expired", false),
        new("rollback.started", "Rollbacks", "An emergency rollback waits for your confirmation", true),
        new("rollback.confirmed", "Rollbacks", "A rollback was confirmed", false),
        new("rollback.cancelled", "Rollbacks", "A rollback was cancelled", false),
        new("rollback.expired", "Rollbacks", "A rollback you started expired", false),
        new("review.opened", "Rollbacks", "A retrospective was opened", true),
        new("review.closed", "Rollbacks", "A retrospective was closed", false),
        new("checklist.submitted", "Checklists", "A checklist waits for your review", true),
        new("checklist.changes-requested", "Checklists", "An officer asked for changes to your checklist (evidence rejected)", true),
        new("checklist.signed-off", "Checklists", "Your checklist was signed off", false),
        new("review.due", "Reviews and retirements", "A periodic review of your model is due or overdue", true),
        new("retirement.reminder", "Reviews and retirements", "A retirement you own is coming up or overdue", true),
        new("retirement.cancelled", "Reviews and retirements", "A planned retirement was cancelled", false),
        new("audit.verification-failed", "Operations", "Audit trail verification failed", true),
        new("webhook.disabled", "Operations", "A webhook subscription was disabled after failing", true),
        new("job.failed", "Operations", "A background job failed", true),
    ];

    private static readonly Dictionary<string, NotificationKind> ByKind = All.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    public static NotificationKind? Find(string kind) => ByKind.GetValueOrDefault(kind);

    /// <summary>
    /// The default for <paramref name="kind"/>; a kind not listed here (added without a row) is sent at once rather than
    /// held back unnoticed, and the digest itself always goes.
    /// </summary>
    public static DeliveryMode DefaultFor(string kind) => Find(kind)?.Default ?? DeliveryMode.Immediately;
}
