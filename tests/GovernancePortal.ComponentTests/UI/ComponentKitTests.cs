using Bunit;
using GovernancePortal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace GovernancePortal.UI;

public sealed class ComponentKitTests : BunitTest
{
    [Fact]
    public void Page_header_renders_title_eyebrow_subtitle_and_actions()
    {
        RenderFragment actions = b => b.AddMarkupContent(0, "<a class=\"btn\" href=\"/new\">New</a>");

        var page = Render<PageHeader>(new()
        {
            ["Title"] = "Models", ["Eyebrow"] = "Registry", ["Subtitle"] = "All of them", ["Actions"] = actions,
        });

        Assert.Equal("Models", page.Find("h1").TextContent);
        Assert.Equal("Registry", page.Find(".eyebrow").TextContent);
        Assert.Equal("All of them", page.Find(".subtitle").TextContent);
        Assert.Equal("/new", page.Find(".page-actions a").GetAttribute("href"));
    }

    [Fact]
    public void Empty_state_is_announced_as_a_status()
    {
        var page = Render<EmptyState>(new() { ["Title"] = "No models yet" });

        Assert.Equal("status", page.Find(".empty-state").GetAttribute("role"));
        Assert.Equal("No models yet", page.Find("h2").TextContent);
    }
}
