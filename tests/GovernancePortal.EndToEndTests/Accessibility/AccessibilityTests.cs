namespace GovernancePortal.Accessibility;

/// <summary>
/// axe-core finds no serious or critical violation on the pages built on MudBlazor, as each persona sees them, in the
/// light theme at desktop width and at 360 px.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    public static TheoryData<string, string, int> Pages => new()
    {
        { "viewer@demo.test", "/", 1280 },
        { "owner@demo.test", "/", 1280 },
        { "compliance@demo.test", "/", 1280 },
        { "auditor@demo.test", "/", 1280 },
        { "admin@demo.test", "/", 1280 },
        { "viewer@demo.test", "/retirements", 1280 },
        { "auditor@demo.test", "/reports", 1280 },
        { "auditor@demo.test", "/reports/verify", 1280 },
        { "admin@demo.test", "/admin/sessions", 1280 },
        { "admin@demo.test", "/admin/notifications", 1280 },
        { "admin@demo.test", "/admin/webhooks", 1280 },
        { "compliance@demo.test", "/review-queue", 1280 },
        { "owner@demo.test", "/account/notifications", 1280 },
        { "owner@demo.test", "/account", 1280 },
        { "owner@demo.test", "/account", 360 },
        { "auditor@demo.test", "/audit", 1280 },
        { "auditor@demo.test", "/audit/verify", 1280 },
        { "auditor@demo.test", "/audit/events/2", 1280 },
        { "owner@demo.test", "/notifications", 1280 },
        { "admin@demo.test", "/admin/api-keys", 1280 },
        { "auditor@demo.test", "/audit", 360 },
        { "auditor@demo.test", "/audit/events/2", 360 },
        { "owner@demo.test", "/notifications", 360 },
        { "compliance@demo.test", "/approvals", 1280 },
        { "viewer@demo.test", "/approvals?status=Approved", 1280 },
        { "compliance@demo.test", "/approvals/policies", 1280 },
        { "viewer@demo.test", "/approvals/policies/Production/High/versions", 1280 },
        { "compliance@demo.test", "/approvals/policies/Staging/Limited/edit", 1280 },
        { "owner2@demo.test", "/models/sepsis-early-warning/versions/1.2.0/promote?target=Production", 1280 },
        { "owner@demo.test", "/models/fraud-card-realtime/rollback", 1280 },
        { "compliance@demo.test", "/approvals", 360 },
        { "compliance@demo.test", "/compliance", 1280 },
        { "compliance@demo.test", "/compliance/templates", 1280 },
        { "compliance@demo.test", "/compliance/templates/hipaa", 1280 },
        { "compliance@demo.test", "/compliance/templates/hipaa/edit", 1280 },
        { "owner@demo.test", "/models/demand-forecast-stores/compliance", 1280 },
        { "owner@demo.test", "/models/demand-forecast-stores/versions/4.0.0/compliance/nist-ai-rmf", 1280 },
        { "compliance@demo.test", "/models/sepsis-early-warning/versions/1.1.0/compliance/hipaa", 1280 },
        { "owner@demo.test", "/models/demand-forecast-stores/versions/4.0.0/card", 1280 },
        { "owner@demo.test", "/models/demand-forecast-stores/versions/4.0.0/card?section=Contacts", 360 },
        { "viewer@demo.test", "/models/credit-default-pd/versions/1.2.0/card/revisions", 1280 },
        { "viewer@demo.test", "/", 360 },
        { "owner@demo.test", "/models/demand-forecast-stores/versions/4.0.0/compliance/nist-ai-rmf", 360 },
        { "viewer@demo.test", "/compliance", 360 },
        { "compliance@demo.test", "/", 360 },
        { "viewer@demo.test", "/retirements", 360 },
        { "viewer@demo.test", "/models", 1280 },
        { "owner@demo.test", "/models?risk=High&sort=name&dir=desc", 1280 },
        { "viewer@demo.test", "/models", 360 },
        { "viewer@demo.test", "/production", 1280 },
        { "viewer@demo.test", "/production", 360 },
        { "viewer@demo.test", "/models/credit-default-pd", 1280 },
        { "viewer@demo.test", "/models/credit-default-pd?tab=versions", 360 },
        { "admin@demo.test", "/models/credit-default-pd", 1280 },
        { "viewer@demo.test", "/models/credit-default-pd/versions/1.2.0", 1280 },
        { "owner@demo.test", "/models/credit-default-pd/versions/1.2.0?tab=gates", 1280 },
        { "viewer@demo.test", "/models/credit-default-pd/versions/1.2.0?tab=history", 360 },
        { "owner@demo.test", "/models/new", 1280 },
        { "owner@demo.test", "/models/new", 360 },
        { "owner@demo.test", "/models/churn-retail/versions/new", 1280 },
        { "owner@demo.test", "/models/churn-retail/edit", 1280 },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_has_no_serious_or_critical_violations(string username, string path, int width)
    {
        await using var session = await browser.NewSessionAsync(width);
        await session.SignInAsync(username);
        await session.GotoAsync(path);
        await session.WaitForCircuitAsync();

        await session.CheckAccessibilityAsync();

        Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(360)]
    public async Task The_sign_in_page_has_no_serious_or_critical_violations(int width)
    {
        await using var session = await browser.NewSessionAsync(width);
        await session.GotoAsync("/account/sign-in");

        await session.CheckAccessibilityAsync();

        Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
    }
}
