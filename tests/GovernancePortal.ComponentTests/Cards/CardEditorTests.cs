using System.Security.Claims;
using System.Text.Json;
using Bunit;
using GovernancePortal.Components.Pages.Cards;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Cards;

/// <summary>
/// The card editor and revisions pages over a seeded SQLite database and the real card service: every section saves
/// through the page and is audited as the person, the next section is offered, errors stay at the field with what was
/// typed, a stale save shows what changed meanwhile, and a card file imports.
/// </summary>
public sealed class CardEditorTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private bool _servicesAdded;

    private void SignIn(string username)
    {
        if (_servicesAdded)
        {
            return;
        }
        database.AddServices(Context.Services, TimeProvider.System);
        var persona = DemoPersonas.Find(username)!;
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(persona.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, persona.ObjectId.ToString()), new Claim(PortalClaims.Name, persona.DisplayName),
            new Claim(PortalClaims.PreferredUsername, persona.Username), new Claim(PortalClaims.Roles, persona.Role));
        Context.Render<MudPopoverProvider>();
        _servicesAdded = true;
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>A model of owner@demo.test's team with version 1.0.0 and no card, under a key of its own.</summary>
    private async Task<string> RegisterAsync()
    {
        var key = $"card-{Guid.NewGuid():N}"[..20];
        var caller = new Caller("owner@demo.test", [Roles.ModelOwner], "Credit Risk Analytics");
        await InScopeAsync(async sp =>
        {
            var registry = sp.GetRequiredService<RegistryService>();
            Assert.Null((await registry.RegisterModelAsync(caller, new RegisterModelRequest(key, "Card test model", "For the card editor tests.", caller.Username,
                "Head of lending", caller.Team, "Lending", RiskTier.Limited, [], []))).Failure);
            Assert.Null((await registry.RegisterVersionAsync(caller, key, new RegisterVersionRequest("1.0.0", ChangeKind.ImprovedModel, "First.", "s3://ml/x/1.0.0",
                new string('a', 64), null, [new MetricRequest("auc", 0.8, "holdout", null, 0.7, true)]))).Failure);
            return 0;
        });
        return key;
    }

    // The section comes from the address, as when a link is followed.
    private IRenderedComponent<CardEditor> RenderEditor(string key, ModelCardSection? section) => Render<CardEditor>(new()
    {
        [nameof(CardEditor.Key)] = key,
        [nameof(CardEditor.Version)] = "1.0.0",
    }, $"http://localhost/models/{key}/versions/1.0.0/card{(section is { } s ? $"?section={s}" : "")}");

    private static async Task WaitLoadedAsync(IRenderedComponent<CardEditor> page) =>
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=save-section]")), TimeSpan.FromSeconds(30));

    /// <summary>Types into a section's form what a person would.</summary>
    private static void Type(IRenderedComponent<CardEditor> page, ModelCardSection section)
    {
        switch (section.Kind())
        {
            case ModelCardSectionKind.RiskList:
                page.Find("[data-testid=risk-0-risk] textarea").Change("Applicants with irregular income may be under-assessed.");
                page.Find("[data-testid=risk-0-mitigation] textarea").Change("Underwriters review every refusal for self-employed applicants.");
                break;
            case ModelCardSectionKind.ContactList:
                page.Find("[data-testid=contact-0-name] input").Change("Lending analytics");
                page.Find("[data-testid=contact-0-email] input").Change("lending-analytics@demo.test");
                page.Find("[data-testid=contact-0-role] input").Change("Owner");
                break;
            default:
                page.Find("[data-testid=section-text] textarea, [data-testid=section-text] input").Change(Text(section));
                break;
        }
    }

    private static string Text(ModelCardSection section) => section.Kind() == ModelCardSectionKind.PlainText
        ? "proprietary"
        : $"What the {section.Title()} section says about the lending model, written by its owner.";

    private static ModelCard Apply(ModelCard card, ModelCardSection section) => section.Kind() switch
    {
        ModelCardSectionKind.RiskList => card.WithEthicalConsiderations([new("Applicants with irregular income may be under-assessed.",
            "Underwriters review every refusal for self-employed applicants.")]),
        ModelCardSectionKind.ContactList => card.WithContacts([new("Lending analytics", "lending-analytics@demo.test", "Owner")]),
        _ => card.WithText(section, Text(section)),
    };

    private Task<ModelCardRevision> LatestAsync(string key) => InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().ModelCardRevisions.AsNoTracking()
        .Where(r => sp.GetRequiredService<GovernanceDbContext>().ModelVersions.Any(v => v.Id == r.VersionId && v.Model.Key == key))
        .OrderByDescending(r => r.Number).FirstAsync());

    [Fact]
    public async Task Every_section_saves_through_the_page_is_audited_as_the_owner_and_the_next_section_is_offered()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync();
        var expected = ModelCard.Empty;

        foreach (var info in ModelCardSections.All)
        {
            var page = RenderEditor(key, info.Section);
            await WaitLoadedAsync(page);
            Assert.Equal(info.Title, page.Find("h2#section-heading").TextContent);
            Type(page, info.Section);
            page.Find("[data-testid=save-section]").Click();
            await page.WaitForAssertionAsync(() => Assert.Contains($"{info.Title} saved as revision", page.Find("[data-testid=saved]").TextContent), TimeSpan.FromSeconds(30));

            var next = page.Find("[data-testid=next-section]");
            var following = ModelCardSections.Next(info.Section);
            Assert.Equal(following is { } n ? $"/models/{key}/versions/1.0.0/card?section={n}" : $"/models/{key}/versions/1.0.0?tab=card", next.GetAttribute("href"));
            Assert.Contains(following?.Title() ?? "Back to the version", next.TextContent);
            expected = Apply(expected, info.Section);
            var latest = await LatestAsync(key);
            Assert.Equal(ModelCardDiff.SectionText(expected, info.Section), ModelCardDiff.SectionText(latest.Card, info.Section));
            var audit = await InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().AuditEvents.AsNoTracking()
                .Where(e => e.Action == "card.revised" && e.EntityId == latest.Id.ToString()).SingleAsync());
            Assert.Equal("owner@demo.test", audit.ActorUsername);
            using var payload = JsonDocument.Parse(audit.Payload);
            Assert.Equal(info.Section.ToString(), payload.RootElement.GetProperty("details").GetProperty("section").GetString());
            Assert.Equal(ModelCardDiff.SectionText(expected, info.Section), payload.RootElement.GetProperty("details").GetProperty("after").GetString());
        }
        Assert.Equal(expected, (await LatestAsync(key)).Card);
    }

    [Fact]
    public async Task A_bad_contact_is_named_at_its_row_keeps_what_was_typed_and_saves_nothing()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync();
        var page = RenderEditor(key, ModelCardSection.Contacts);
        await WaitLoadedAsync(page);

        page.Find("[data-testid=contact-0-name] input").Change("Lending analytics");
        page.Find("[data-testid=contact-0-email] input").Change("not an e-mail");
        page.Find("[data-testid=save-section]").Click();

        await page.WaitForAssertionAsync(() => Assert.Contains("e-mail", page.Find("[data-testid=contact-0-name]").TextContent, StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(30));
        Assert.Equal("not an e-mail", page.Find("[data-testid=contact-0-email] input").GetAttribute("value"));
        Assert.Equal("Lending analytics", page.Find("[data-testid=contact-0-name] input").GetAttribute("value"));
        Assert.Empty(page.FindAll("[data-testid=saved]"));
        Assert.False(await InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().ModelCardRevisions
            .AnyAsync(r => sp.GetRequiredService<GovernanceDbContext>().ModelVersions.Any(v => v.Id == r.VersionId && v.Model.Key == key))));
    }

    [Fact]
    public async Task A_save_on_an_older_revision_is_refused_shows_what_changed_and_a_second_save_lands_on_top()
    {
        const string Mine = "A competing edit that must not overwrite the first one unseen.";
        SignIn("owner@demo.test");
        var key = await RegisterAsync();
        var stale = RenderEditor(key, ModelCardSection.Limitations);
        await WaitLoadedAsync(stale);
        var first = RenderEditor(key, ModelCardSection.Limitations);
        await WaitLoadedAsync(first);
        first.Find("[data-testid=section-text] textarea").Change("Seasonal effects in January are under-predicted.");
        first.Find("[data-testid=save-section]").Click();
        await first.WaitForAssertionAsync(() => first.Find("[data-testid=saved]"), TimeSpan.FromSeconds(30));

        stale.Find("[data-testid=section-text] textarea").Change(Mine);
        stale.Find("[data-testid=save-section]").Click();
        await stale.WaitForAssertionAsync(() => stale.Find("[data-testid=changed-meanwhile]"), TimeSpan.FromSeconds(30));

        var meanwhile = stale.Find("[data-testid=changed-meanwhile]");
        Assert.Contains("revision 1, Limitations", meanwhile.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(meanwhile.QuerySelectorAll("pre.diff span.removed"), l => l.TextContent.Contains("Seasonal effects"));
        Assert.Contains(meanwhile.QuerySelectorAll("pre.diff span.added"), l => l.TextContent.Contains(Mine));
        Assert.Equal(Mine, stale.Find("[data-testid=section-text] textarea").GetAttribute("value") ?? stale.Find("[data-testid=section-text] textarea").TextContent);
        Assert.Equal(1, (await LatestAsync(key)).Number);

        stale.Find("[data-testid=save-section]").Click();
        await stale.WaitForAssertionAsync(() => stale.Find("[data-testid=saved]"), TimeSpan.FromSeconds(30));
        var latest = await LatestAsync(key);
        Assert.Equal((2, Mine), (latest.Number, latest.Card.GetText(ModelCardSection.Limitations)));
        Assert.Empty(stale.FindAll("[data-testid=changed-meanwhile]"));
    }

    [Fact]
    public async Task Another_team_is_told_why_and_cannot_save()
    {
        SignIn("owner2@demo.test");
        var key = await RegisterAsync();
        var page = RenderEditor(key, null);
        await WaitLoadedAsync(page);

        Assert.Contains("only its owner and their team", page.Find("[data-testid=refusal]").TextContent);
        Assert.True(page.Find("[data-testid=save-section]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_card_file_imports_as_a_revision_and_a_file_that_is_not_a_card_is_refused()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync();
        var card = Apply(Apply(ModelCard.Empty, ModelCardSection.Overview), ModelCardSection.Contacts);
        var json = ModelCardToolkitJson.Export(card, "Card test model", "1.0.0", []);
        var page = RenderEditor(key, ModelCardSection.Overview);
        await WaitLoadedAsync(page);

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("{\"schema_version\": 7, \"model_details\": []}", "card.json"));
        await page.WaitForAssertionAsync(() => Assert.Contains("not a Model Card Toolkit card", Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Last().Message),
            TimeSpan.FromSeconds(30));
        Assert.False(await InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().ModelCardRevisions
            .AnyAsync(r => sp.GetRequiredService<GovernanceDbContext>().ModelVersions.Any(v => v.Id == r.VersionId && v.Model.Key == key))));

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(json, "card.json"));
        await page.WaitForAssertionAsync(() => Assert.Contains("imported as revision 1", Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Last().Message),
            TimeSpan.FromSeconds(30));
        var latest = await LatestAsync(key);
        Assert.Equal(card.GetText(ModelCardSection.Overview), latest.Card.GetText(ModelCardSection.Overview));
        Assert.Equal(card.Contacts.ToList(), latest.Card.Contacts.ToList());
        Assert.Contains(Text(ModelCardSection.Overview), page.Find("[data-testid=section-text] textarea").GetAttribute("value") ?? page.Find("[data-testid=section-text] textarea").TextContent);
    }

    [Fact]
    public async Task Revisions_show_the_diff_between_the_two_in_the_address_and_an_unknown_pair_falls_back_to_the_latest()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync();
        foreach (var text in new[] { "Retention marketing team\nBranch managers", "Retention marketing team\nContact-centre leads" })
        {
            var page = RenderEditor(key, ModelCardSection.Users);
            await WaitLoadedAsync(page);
            page.Find("[data-testid=section-text] textarea").Change(text);
            page.Find("[data-testid=save-section]").Click();
            await page.WaitForAssertionAsync(() => page.Find("[data-testid=saved]"), TimeSpan.FromSeconds(30));
        }

        foreach (var (from, to) in new[] { ("1", "2"), ("x", "99") })
        {
            var revisions = Render<CardRevisions>(new() { [nameof(CardRevisions.Key)] = key, [nameof(CardRevisions.Version)] = "1.0.0" },
                $"http://localhost/models/{key}/versions/1.0.0/card/revisions?from={from}&to={to}");
            await revisions.WaitForAssertionAsync(() => revisions.Find("[data-testid=card-diff]"), TimeSpan.FromSeconds(30));
            Assert.Contains("Changes from revision 1 to 2", revisions.Find("[data-testid=card-diff] h2").TextContent);
            var lines = revisions.FindAll("[data-testid=card-diff] pre span");
            Assert.Contains(lines, l => l.ClassList.Contains("removed") && l.TextContent.Contains("Branch managers"));
            Assert.Contains(lines, l => l.ClassList.Contains("added") && l.TextContent.Contains("Contact-centre leads"));
            Assert.Contains(lines, l => l.ClassList.Contains("unchanged") && l.TextContent.Contains("Retention marketing team"));
            Assert.Equal(2, revisions.FindAll("[data-testid=revision-list] tbody tr").Count);
        }
    }
}
