namespace GovernancePortal.Webhooks;

/// <summary>What a subscription must be, checked before anything is saved; each error names its field.</summary>
public static class WebhookRules
{
    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 500;

    public static Dictionary<string, string[]> Check(string? url, IReadOnlyList<string>? events, string? description, out Uri? parsed)
    {
        var errors = new Dictionary<string, string[]>();
        parsed = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            errors["url"] = ["Give the address to deliver to."];
        }
        else if (url.Length > MaxUrlLength)
        {
            errors["url"] = [$"Use at most {MaxUrlLength} characters."];
        }
        else if (OutboundAddressRules.CheckUrl(url, out parsed) is { } problem)
        {
            errors["url"] = [problem];
        }
        if (events is null || events.Count == 0)
        {
            errors["events"] = [$"Choose at least one event type, or {WebhookEvents.All} for all."];
        }
        else if (events.FirstOrDefault(e => !WebhookEvents.IsKnown(e)) is { } unknown)
        {
            errors["events"] = [$"'{unknown}' is not an event type. Use {string.Join(", ", WebhookEvents.Types)} or {WebhookEvents.All}."];
        }
        if (description?.Length > MaxDescriptionLength)
        {
            errors["description"] = [$"Use at most {MaxDescriptionLength} characters."];
        }
        return errors;
    }

    /// <summary>Stored as given but once each, <c>*</c> alone when it is among them.</summary>
    public static string Normalize(IEnumerable<string> events)
    {
        var distinct = events.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Contains(WebhookEvents.All) ? WebhookEvents.All : string.Join(',', distinct);
    }
}
