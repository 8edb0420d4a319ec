using Bunit;
using GovernancePortal.Approvals;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Catalogue;

/// <summary>
/// The catalogue grid over the demo database plus a team of models each test class adds (the demo's own count is not assumed): the address
/// sets filters, sort and page; the grid's sort and pager write them back.
/// </summary>
public sealed class CataloguePageTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _team = $"atlas-{Guid.NewGuid():N}"[..14];

    /// <summary>Models "Atlas 01" to "Atlas NN" in a team of this test's own, every third High risk, every fourth tagged "geo".</summary>
    private Task AddTeamAsync(int count) => DbAsync(async db =>
    {
        for (var i = 1; i <= count; i++)
        {
            var model = new Model
            {
                Key = $"{_team}-{i:00}", Name = $"Atlas {i:00}", Owner = "owner@demo.test", Team = _team, CreatedBy = "owner@demo.test",
                RiskTier = i % 3 == 0 ? RiskTier.High : RiskTier.Minimal, Tags = i % 4 == 0 ? "geo,maps" : "maps",
                Description = i == 7 ? "Predicts ferry delays." : "", CreatedAt = DateTimeOffset.UtcNow.AddDays(-i),
            };
            db.Models.Add(model);
            db.Audit.Record("test.model-added", model);
        }
        return await db.SaveChangesAsync();
    });

    private static List<string> Names(IRenderedComponent<CataloguePage> page) => page.FindAll("[data-testid=model-link]").Select(a => a.TextContent.Trim()).ToList();


    [Fact]
    public async Task The_address_sets_filters_sort_page_and_size()
    {
        SignIn("viewer@demo.test");
        await AddTeamAsync(25);

        var page = Render<CataloguePage>(uri: $"http://localhost/models?team={_team}&sort=name&dir=desc&size=10&page=2");

        await page.WaitForAssertionAsync(() => Assert.Equal(Enumerable.Range(6, 10).Reverse().Select(i => $"Atlas {i:00}"), Names(page)), Patience);
        Assert.Contains("11-20 of 25", page.Find(".mud-table-pagination").TextContent.Replace('–', '-'));
        // The grid's own state matches the address, so it does not rewrite it.
        Assert.EndsWith($"/models?team={_team}&sort=name&dir=desc&size=10&page=2", Uri);
        Assert.Empty(page.FindAll("[data-testid=register-model]"));

        var high = Render<CataloguePage>(uri: $"http://localhost/models?team={_team}&risk=high&sort=name&dir=desc");
        await high.WaitForAssertionAsync(() => Assert.Equal(["Atlas 24", "Atlas 21", "Atlas 18", "Atlas 15", "Atlas 12", "Atlas 09", "Atlas 06", "Atlas 03"], Names(high)), Patience);
    }

    [Fact]
    public async Task Sorting_and_paging_in_the_grid_go_into_the_address()
    {
        SignIn("owner@demo.test");
        await AddTeamAsync(12);
        var page = Render<CataloguePage>(uri: $"http://localhost/models?team={_team}&size=10");
        await page.WaitForAssertionAsync(() => Assert.Equal(10, Names(page).Count), Patience);
        Assert.NotNull(page.Find("[data-testid=register-model]"));
        var grid = page.FindComponent<MudDataGrid<CatalogueRow>>();

        await page.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(CatalogueRow.Owner), SortDirection.Descending, r => r.Owner));
        await page.WaitForAssertionAsync(() => Assert.EndsWith($"/models?team={_team}&sort=owner&dir=desc&size=10", Uri), Patience);

        await page.InvokeAsync(() => grid.Instance.NavigateTo(Page.Next));
        await page.WaitForAssertionAsync(() => Assert.EndsWith($"/models?team={_team}&sort=owner&dir=desc&page=2&size=10", Uri), Patience);
        Assert.Equal(2, Names(page).Count);

        // A reload of that address shows the same rows.
        var reloaded = Render<CataloguePage>(uri: Uri);
        await reloaded.WaitForAssertionAsync(() => Assert.Equal(Names(page), Names(reloaded)), Patience);
    }

    [Fact]
    public async Task Team_and_owner_are_suggested_as_typed_and_the_one_chosen_goes_into_the_address()
    {
        SignIn("viewer@demo.test");
        await AddTeamAsync(3);
        var page = Render<CataloguePage>(uri: "http://localhost/models?size=10");
        await page.WaitForAssertionAsync(() => Assert.NotEmpty(Names(page)), Patience);
        var pickers = page.FindComponents<MudAutocomplete<string>>();
        var team = pickers.Single(p => p.Instance.Label == "Team");
        var owner = pickers.Single(p => p.Instance.Label == "Owner");

        static async Task<List<string>> Suggested(IRenderedComponent<MudAutocomplete<string>> picker, string text) =>
            [.. (await picker.Instance!.SearchFunc!.Invoke(text, CancellationToken.None)!) ?? []];
        Assert.Equal([_team], await Suggested(team, _team[..10].ToUpperInvariant()));
        Assert.Contains("owner@demo.test", await Suggested(owner, "OWNER@"));
        Assert.Empty(await Suggested(owner, "nobody-at-all"));

        await team.InvokeAsync(() => team.Instance.SelectOptionAsync(_team));
        await page.WaitForAssertionAsync(() => Assert.EndsWith($"/models?team={_team}&size=10", Uri), Patience);
        await page.WaitForAssertionAsync(() => Assert.Equal(["Atlas 01", "Atlas 02", "Atlas 03"], Names(page).Order()), Patience);
    }

    [Fact]
    public async Task A_filter_chosen_goes_into_the_address_and_starts_at_the_first_page()
    {
        SignIn("viewer@demo.test");
        await AddTeamAsync(8);
        var page = Render<CataloguePage>(uri: $"http://localhost/models?team={_team}&page=3&sort=risk");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=clear-filters]")), Patience);

        page.Find("#q").Input("ferry");

        await page.WaitForAssertionAsync(() => Assert.EndsWith($"/models?q=ferry&team={_team}&sort=risk", Uri), Patience);
        var filtered = Render<CataloguePage>(uri: Uri);
        await filtered.WaitForAssertionAsync(() => Assert.Equal(["Atlas 07"], Names(filtered)), Patience);
        Assert.Equal("ferry", filtered.Find("#q").GetAttribute("value"));
    }

    [Fact]
    public async Task Search_matches_name_key_description_and_tags()
    {
        SignIn("viewer@demo.test");
        await AddTeamAsync(8);

        foreach (var (query, expected) in new[]
        {
            ("ATLAS 02", new[] { "Atlas 02" }), ($"{_team}-05", ["Atlas 05"]), ("ferry", ["Atlas 07"]), ("geo", ["Atlas 04", "Atlas 08"]),
        })
        {
            var page = Render<CataloguePage>(uri: $"http://localhost/models?team={_team}&q={System.Uri.EscapeDataString(query)}");
            await page.WaitForAssertionAsync(() => Assert.Equal(expected, Names(page)), Patience);
        }
    }

    [Fact]
    public async Task Nothing_matching_shows_the_empty_state_and_unknown_values_are_ignored()
    {
        SignIn("viewer@demo.test");
        await AddTeamAsync(4);

        var none = Render<CataloguePage>(uri: $"http://localhost/models?team={_team}&q=%3Cscript%3Ealert(1)%3C/script%3E");
        await none.WaitForAssertionAsync(() => Assert.Contains("No models match", none.Find("[data-testid=catalogue]").TextContent), Patience);
        Assert.Empty(Names(none));
        Assert.Empty(none.FindAll("script"));

        var odd = Render<CataloguePage>(uri: $"http://localhost/models?team={_team}&risk=Extreme&stage=42&data=Everything&sort=drop%20table&dir=sideways&page=-3&size=7");
        await odd.WaitForAssertionAsync(() => Assert.Equal(["Atlas 01", "Atlas 02", "Atlas 03", "Atlas 04"], Names(odd)), Patience);
        Assert.DoesNotContain("No models match", odd.Markup);
    }
}
