using System.Net;
using System.Text.Json;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

/// <summary>Every section of the card saves through the editor's own form, and the editor then offers the next one.</summary>
public abstract class CardSectionSaveTests(PortalFactory portal)
{
    private const string Editor = "/models/mortgage-affordability/versions/0.9.0/card";

    public static TheoryData<ModelCardSection> Sections => [.. ModelCardSections.All.Select(s => s.Section)];

    /// <summary>What a person types into each kind of section's form.</summary>
    private static Dictionary<string, string> Typed(ModelCardSection section) => section.Kind() switch
    {
        ModelCardSectionKind.RiskList => new()
        {
            ["Input.Risks[0].Risk"] = "Applicants with irregular income may be under-assessed.",
            ["Input.Risks[0].Mitigation"] = "Underwriters review every refusal for self-employed applicants.",
        },
        ModelCardSectionKind.ContactList => new()
        {
            ["Input.Contacts[0].Name"] = "Mortgage analytics",
            ["Input.Contacts[0].Email"] = "mortgage-analytics@demo.test",
            ["Input.Contacts[0].Role"] = "Owner",
        },
        ModelCardSectionKind.PlainText => new() { ["Input.Text"] = "proprietary" },
        _ => new() { ["Input.Text"] = $"What the {section.Title()} section says about the affordability model, written by its owner." },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public async Task Each_section_saves_from_its_form_is_audited_readably_and_offers_the_next_section(ModelCardSection section)
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var page = await owner.GetDocumentAsync($"{Editor}?section={section}");
        var fields = new Dictionary<string, string>(Typed(section))
        {
            ["_handler"] = "card-section",
            ["Input.BasedOn"] = page.QuerySelector("input[name='Input.BasedOn']")!.GetAttribute("value")!,
        };

        var saved = await owner.PostFormAsync($"{Editor}?section={section}", page, fields);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var after = await owner.GetDocumentAsync(saved.Headers.Location!.OriginalString);
        Assert.Contains($"{section.Title()} saved as revision", after.QuerySelector("[data-testid=status-message]")!.TextContent);
        var expected = ModelCardDiff.SectionText(Apply(ModelCard.Empty, section), section);
        var card = await portal.WithDbAsync(async db => (await db.ModelCardRevisions
            .Where(r => db.ModelVersions.Any(v => v.Id == r.VersionId && v.Model.Key == "mortgage-affordability")).OrderByDescending(r => r.Number).FirstAsync()).Card);
        Assert.Equal(expected, ModelCardDiff.SectionText(card, section));
        var audit = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "card.revised").OrderByDescending(e => e.Sequence).FirstAsync());
        using var payload = JsonDocument.Parse(audit.Payload);
        Assert.Equal(section.ToString(), payload.RootElement.GetProperty("details").GetProperty("section").GetString());
        Assert.Equal(expected, payload.RootElement.GetProperty("details").GetProperty("after").GetString());
        var next = after.QuerySelector("[data-testid=next-section]")!;
        var following = ModelCardSections.Next(section);
        Assert.Equal(following is { } n ? $"{Editor}?section={n}" : "/models/mortgage-affordability/versions/0.9.0", next.GetAttribute("href"));
        Assert.Contains(following?.Title() ?? "Back to the version", next.TextContent);
    }

    private static ModelCard Apply(ModelCard card, ModelCardSection section) => section.Kind() switch
    {
        ModelCardSectionKind.RiskList => card.WithEthicalConsiderations([new("Applicants with irregular income may be under-assessed.",
            "Underwriters review every refusal for self-employed applicants.")]),
        ModelCardSectionKind.ContactList => card.WithContacts([new("Mortgage analytics", "mortgage-analytics@demo.test", "Owner")]),
        _ => card.WithText(section, Typed(section)["Input.Text"]),
    };
}

public sealed class CardSectionSaveTestsOnSqlite(SqlitePortal portal) : CardSectionSaveTests(portal), IClassFixture<SqlitePortal>;

public sealed class CardSectionSaveTestsOnPostgreSql(PostgreSqlPortal portal) : CardSectionSaveTests(portal), IClassFixture<PostgreSqlPortal>;
