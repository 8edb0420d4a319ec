using Bunit;
using GovernancePortal.Components.UI;
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

    [Fact]
    public void Confirmation_step_posts_back_with_antiforgery_or_cancels_by_link()
    {
        RenderFragment body = b => b.AddContent(0, "This cannot be undone.");

        var page = Render<ConfirmPanel>(new()
        {
            ["FormName"] = "revoke-key", ["Title"] = "Revoke this key?", ["ConfirmLabel"] = "Revoke key",
            ["CancelHref"] = "/admin/api-keys", ["ChildContent"] = body,
        });

        var panel = page.Find("section.confirm-panel");
        Assert.Equal("alertdialog", panel.GetAttribute("role"));
        Assert.Equal("Revoke this key?", page.Find("#" + panel.GetAttribute("aria-labelledby")).TextContent);
        Assert.Equal("This cannot be undone.", page.Find("#" + panel.GetAttribute("aria-describedby")).TextContent);
        var form = panel.QuerySelector("form")!;
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("test-token", form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value"));
        Assert.Equal("Revoke key", form.QuerySelector("button[type=submit]")!.TextContent);
        Assert.Equal("/admin/api-keys", form.QuerySelector("a")!.GetAttribute("href"));
    }

    [Theory]
    [InlineData(false, "status", "status-ok")]
    [InlineData(true, "alert", "status-error")]
    public void Status_message_uses_the_right_live_region(bool error, string role, string cssClass)
    {
        var page = Render<StatusMessage>(new() { ["Message"] = "Saved.", ["Error"] = error });

        var message = page.Find("[data-testid=status-message]");
        Assert.Equal(role, message.GetAttribute("role"));
        Assert.Contains(cssClass, message.ClassList);
        Assert.Equal("Saved.", message.TextContent.Trim());
    }

    [Fact]
    public void Status_message_shows_the_message_carried_by_the_cookie_once()
    {
        var page = Render<StatusMessageHost>(new() { ["Cookie"] = "error:That key was already revoked." });

        var message = page.Find("[data-testid=status-message]");
        Assert.Equal("That key was already revoked.", message.TextContent.Trim());
        Assert.Equal("alert", message.GetAttribute("role"));
        Assert.Contains("gp.status=;", page.Find("#set-cookie").TextContent);
    }

    [Fact]
    public void Form_field_links_label_hint_and_shows_its_validation_message()
    {
        var page = Render<FormFieldHost>();

        Assert.Equal("label-input", page.Find("label").GetAttribute("for"));
        Assert.Equal("Which pipeline uses it.", page.Find("#label-input-hint").TextContent);
        Assert.Contains("field-invalid", page.Find(".field").ClassList);
        Assert.Equal("Give the key a label.", page.Find(".field-error").TextContent);
        Assert.NotEmpty(page.FindAll("label .required"));
    }
}
