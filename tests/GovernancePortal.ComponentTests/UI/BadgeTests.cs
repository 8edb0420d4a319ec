using Bunit;
using GovernancePortal.Components.Shared;

namespace GovernancePortal.UI;

public sealed class BadgeTests : BunitTest
{
    [Theory]
    [InlineData("Production", "badge-success")]
    [InlineData("Staging", "badge-warning")]
    [InlineData("Development", "badge-info")]
    [InlineData("Retired", "badge-neutral")]
    [InlineData("High", "badge-danger")]
    [InlineData("Rejected", "badge-danger")]
    public void A_badge_takes_its_tone_from_what_it_says(string text, string expectedClass)
    {
        var page = Render<Badge>(new() { ["Text"] = text, ["Kind"] = "stage" });

        var badge = page.Find(".badge");
        Assert.Equal(text, badge.TextContent);
        Assert.Contains(expectedClass, badge.ClassList);
        Assert.Equal("stage", badge.GetAttribute("data-kind"));
    }

    [Fact]
    public void An_explicit_tone_wins()
    {
        var page = Render<Badge>(new() { ["Text"] = "Production", ["Tone"] = BadgeTone.Danger });

        Assert.Contains("badge-danger", page.Find(".badge").ClassList);
    }

    [Fact]
    public void Text_is_escaped()
    {
        var page = Render<Badge>(new() { ["Text"] = "<script>alert(1)</script>" });

        Assert.Empty(page.FindAll("script"));
        Assert.Equal("<script>alert(1)</script>", page.Find(".badge").TextContent);
    }
}
