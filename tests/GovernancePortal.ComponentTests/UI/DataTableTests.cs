using Bunit;
using System.Web;
using GovernancePortal.Components.UI;
using Microsoft.AspNetCore.Components;

namespace GovernancePortal.UI;

public sealed class DataTableTests : BunitTest
{
    private sealed record Row(string Name, string Team);

    private static readonly IReadOnlyList<TableColumn<Row>> Columns =
    [
        new("Name", row => builder => builder.AddContent(0, row.Name), "name"),
        new("Team", row => builder => builder.AddContent(0, row.Team), "team"),
        new("Note", row => builder => builder.AddContent(0, "–")),
    ];

    private IRenderedComponent<DataTable<Row>> RenderTable(int total, int page, string? sort = "name", bool descending = false,
        string uri = "http://localhost/models?q=fraud&page=2", RenderFragment? empty = null)
    {
        var state = new TableState(sort, descending, page, 20);
        var count = Math.Max(0, Math.Min(20, total - state.Skip));
        var rows = Enumerable.Range(state.Skip, count).Select(i => new Row($"Model {i + 1}", "Team")).ToList();
        return Render<DataTable<Row>>(new()
        {
            ["Result"] = new PagedResult<Row>(rows, total, state),
            ["Columns"] = Columns,
            ["Caption"] = "Models",
            ["Empty"] = empty,
        }, uri);
    }

    private static System.Collections.Specialized.NameValueCollection Query(string? href) =>
        HttpUtility.ParseQueryString(new Uri(href!).Query);

    [Fact]
    public void Sorted_column_announces_its_direction_and_its_link_reverses_it_keeping_filters()
    {
        var page = RenderTable(total: 45, page: 2);

        var name = page.FindAll("th")[0];
        Assert.Equal("ascending", name.GetAttribute("aria-sort"));
        var query = Query(name.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("name", query["sort"]);
        Assert.Equal("desc", query["dir"]);
        Assert.Equal("fraud", query["q"]);
        Assert.Null(query["page"]);
    }

    [Fact]
    public void Other_sortable_columns_link_to_an_ascending_sort_and_plain_columns_do_not_link()
    {
        var page = RenderTable(total: 45, page: 2);

        var headers = page.FindAll("th");
        Assert.Equal("none", headers[1].GetAttribute("aria-sort"));
        var query = Query(headers[1].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("team", query["sort"]);
        Assert.Null(query["dir"]);
        Assert.Null(headers[2].QuerySelector("a"));
        Assert.Null(headers[2].GetAttribute("aria-sort"));
    }

    [Fact]
    public void The_pager_shows_the_range_and_links_to_neighbouring_pages()
    {
        var page = RenderTable(total: 45, page: 2);

        Assert.Equal("Showing 21–40 of 45", page.Find("[data-testid=pager-summary]").TextContent.Trim());
        Assert.Equal("2", page.Find(".pager [aria-current=page]").TextContent);
        Assert.Null(Query(page.Find(".pager a[rel=prev]").GetAttribute("href"))["page"]);
        Assert.Equal("3", Query(page.Find(".pager a[rel=next]").GetAttribute("href"))["page"]);
        Assert.Equal(["1", "2", "3"], page.FindAll(".pager li a:not([rel]), .pager li span.current").Select(e => e.TextContent));
        Assert.Equal(20, page.FindAll("tbody tr").Count);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(int.MaxValue)]
    public void A_page_past_the_end_says_so_and_links_to_the_last_pages(int number)
    {
        var page = RenderTable(total: 45, page: number);

        Assert.Empty(page.FindAll("tbody tr"));
        Assert.Equal($"Nothing on page {number}; the last page is 3.", page.Find("[data-testid=pager-summary]").TextContent.Trim());
        Assert.Empty(page.FindAll(".pager [aria-current=page]"));
        Assert.Equal(["1", "2", "3"], page.FindAll(".pager li a:not([rel])").Select(e => e.TextContent));
        Assert.Equal((number - 1).ToString(), Query(page.Find(".pager a[rel=prev]").GetAttribute("href"))["page"]);
    }

    [Fact]
    public void Every_cell_carries_its_column_title_for_small_screens()
    {
        var page = RenderTable(total: 3, page: 1);

        Assert.All(page.FindAll("tbody tr"), row =>
            Assert.Equal(["Name", "Team", "Note"], row.QuerySelectorAll("td").Select(td => td.GetAttribute("data-label"))));
        Assert.Empty(page.FindAll(".pager ul"));
    }

    [Fact]
    public void An_empty_result_shows_the_empty_state()
    {
        RenderFragment empty = builder => builder.AddMarkupContent(0, "<p class=\"nothing\">Nothing here</p>");

        var page = RenderTable(total: 0, page: 1, empty: empty);

        Assert.NotEmpty(page.FindAll("p.nothing"));
        Assert.Empty(page.FindAll("tbody tr"));
        Assert.Equal("", page.Find("[data-testid=pager-summary]").TextContent.Trim());
    }

    [Fact]
    public void Table_state_from_the_url_is_clamped_and_only_known_sort_keys_are_accepted()
    {
        var state = TableState.From("drop table", "DESC", -4, 100_000, ["name", "team"], "name");

        Assert.Equal(new TableState("name", true, 1, TableState.MaxPageSize), state);
    }

    [Fact]
    public void The_offset_of_the_last_possible_page_does_not_overflow()
    {
        Assert.Equal(int.MaxValue, TableState.From(null, null, int.MaxValue, TableState.MaxPageSize, ["name"], "name").Skip);
        Assert.Equal(40, new TableState(null, false, 3, 20).Skip);
    }
}
