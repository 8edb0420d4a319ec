namespace GovernancePortal.Webhooks;

public sealed class WebhookRulesTests
{
    [Fact]
    public void Every_event_type_the_issue_lists_is_raised_by_an_audited_action()
    {
        Assert.Equal(
            ["audit.verification-failed", "checklist.signed-off", "checklist.submitted", "model.registered", "promotion.approved", "promotion.expired",
             "promotion.rejected", "promotion.requested", "promotion.withdrawn", "retirement.reminder", "review.due", "version.registered"],
            WebhookEvents.Types.Order(StringComparer.Ordinal));
        Assert.True(WebhookEvents.IsKnown("*"));
        Assert.False(WebhookEvents.IsKnown("model.deleted"));
    }

    [Fact]
    public void Each_bad_field_is_named_and_good_input_passes()
    {
        Assert.Empty(WebhookRules.Check("https://hooks.example.org/x", ["model.registered"], "CI", out var url));
        Assert.NotNull(url);
        var errors = WebhookRules.Check("gopher://x", ["nope"], new string('d', WebhookRules.MaxDescriptionLength + 1), out _);
        Assert.Equal(["description", "events", "url"], errors.Keys.Order());
        Assert.Contains("events", WebhookRules.Check("https://hooks.example.org", [], null, out _).Keys);
        Assert.Contains("url", WebhookRules.Check(null, ["*"], null, out _).Keys);
    }

    [Fact]
    public void Event_lists_are_stored_once_each_and_a_star_stands_alone()
    {
        Assert.Equal("model.registered,promotion.requested", WebhookRules.Normalize(["model.registered", "promotion.requested", "model.registered"]));
        Assert.Equal("*", WebhookRules.Normalize(["model.registered", "*"]));
    }
}
