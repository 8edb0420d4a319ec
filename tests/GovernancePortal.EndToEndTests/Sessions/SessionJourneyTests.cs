using Microsoft.Playwright;

namespace GovernancePortal.Sessions;

/// <summary>
/// Sessions end on open interactive pages too: a page whose session was revoked by an Admin, or signed out in another tab,
/// loses its signed-in state at the next revalidation (a few seconds in tests) and lands on sign-in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SessionJourneyTests(BrowserFixture browser)
{
    private bool OnSignIn(string url) => url.StartsWith(browser.BaseUrl + "/account/sign-in", StringComparison.Ordinal);

    [Fact]
    public async Task An_admin_revokes_a_session_and_the_persons_open_page_goes_to_sign_in()
    {
        await using var person = await browser.NewSessionAsync();
        await person.SignInAsync("owner2@demo.test");
        await person.WaitForCircuitAsync();
        await using var admin = await browser.NewSessionAsync();
        await admin.SignInAsync("admin@demo.test");
        await admin.GotoAsync("/admin/sessions");
        await admin.WaitForCircuitAsync();

        var row = admin.Page.Locator("[data-testid=person-sessions][data-user='owner2@demo.test'] [data-testid=session]").First;
        await row.Locator("[data-testid=revoke]").ClickAsync();
        var confirm = admin.Page.Locator("[data-testid=confirm-revocation-button]");
        await confirm.WaitForAsync();
        await admin.ScreenshotAsync("sessions-revoke-confirm");
        await confirm.ClickAsync();
        await admin.Page.GetByText("Session of owner2@demo.test revoked.").WaitForAsync();
        await admin.ScreenshotAsync("sessions-revoked");

        await person.Page.WaitForURLAsync(OnSignIn);
        await person.Page.Locator("[data-testid='persona-owner2@demo.test']").WaitForAsync();
        Assert.Contains("ReturnUrl=%2F", person.Page.Url);
        await person.ScreenshotAsync("sessions-revoked-person");
        Assert.Empty(person.Problems);
        Assert.Empty(admin.Problems);
    }

    [Fact]
    public async Task Signing_out_in_one_tab_ends_the_open_page_in_another()
    {
        await using var first = await browser.NewSessionAsync();
        await first.SignInAsync("auditor@demo.test");
        await first.WaitForCircuitAsync();
        var second = await first.Page.Context.NewPageAsync();
        await second.GotoAsync(browser.BaseUrl + "/");
        await second.Locator("[data-circuit=on]").First.WaitForAsync();

        await first.ClickAndWaitAsync(first.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }), OnSignIn);

        await second.WaitForURLAsync(OnSignIn);
        await second.Locator("[data-testid='persona-auditor@demo.test']").WaitForAsync();
    }
}
