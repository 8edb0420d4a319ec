namespace GovernancePortal.Webhooks;

/// <summary>The event types a subscription can ask for, each raised by one audited action.</summary>
public static class WebhookEvents
{
    public const string All = "*";

    /// <summary>Audit action → event type. Only what is audited can be sent, so every event carries its audit sequence.</summary>
    public static readonly IReadOnlyDictionary<string, string> ByAuditAction = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["model.registered"] = "model.registered",
        ["version.registered"] = "version.registered",
        ["promotion.requested"] = "promotion.requested",
        ["promotion.approved"] = "promotion.approved",
        ["promotion.rejected"] = "promotion.rejected",
        ["promotion.withdrawn"] = "promotion.withdrawn",
        ["promotion.expired"] = "promotion.expired",
        ["assessment.submitted"] = "checklist.submitted",
        ["assessment.signed-off"] = "checklist.signed-off",
        ["retirement.reminded"] = "retirement.reminder",
        ["review.reminded"] = "review.due",
        ["audit.verification-failed"] = "audit.verification-failed",
    };

    public static readonly IReadOnlyList<string> Types = ByAuditAction.Values.ToList();

    public static readonly IReadOnlyList<string> AuditActions = ByAuditAction.Keys.ToList();

    public static bool IsKnown(string type) => type == All || Types.Contains(type, StringComparer.Ordinal);
}
