using GovernancePortal.Components.UI;

namespace GovernancePortal.UI;

public sealed class BadgeTests
{
    [Theory]
    [InlineData("Production", "badge-success")]
    [InlineData("Staging", "badge-warning")]
    [InlineData("Development", "badge-info")]
    [InlineData("Retired", "badge-neutral")]
    [InlineData("High", "badge-danger")]
    [InlineData("Rejected", "badge-danger")]
    public async Task A_badge_takes_its_tone_from_what_it_says(string text, string expectedClass)
    {
        var page = await ComponentRenderer.RenderAsync<Badge>(new() { ["Text"] = text, ["Kind"] = "stage" });

        var badge = page.QuerySelector("span.badge")!;
        Assert.Equal(text, badge.TextContent);
        Assert.Contains(expectedClass, badge.ClassList);
        Assert.Equal("stage", badge.GetAttribute("data-kind"));
    }

    [Fact]
    public async Task An_explicit_tone_wins()
    {
        var page = await ComponentRenderer.RenderAsync<Badge>(new() { ["Text"] = "Production", ["Tone"] = BadgeTone.Danger });

        Assert.Contains("badge-danger", page.QuerySelector("span.badge")!.ClassList);
    }

    [Fact]
    public async Task Text_is_escaped()
    {
        var page = await ComponentRenderer.RenderAsync<Badge>(new() { ["Text"] = "<script>alert(1)</script>" });

        Assert.Empty(page.QuerySelectorAll("script"));
        Assert.Equal("<script>alert(1)</script>", page.QuerySelector("span.badge")!.TextContent);
    }
}
