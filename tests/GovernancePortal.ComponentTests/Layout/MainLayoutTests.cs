using System.Security.Claims;
using Bunit;
using GovernancePortal.Components.Layout;
using GovernancePortal.Identity;
using GovernancePortal.Notifications;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Layout;

/// <summary>The shell on the demo data: who is signed in, the role-aware drawer, the unread count, light or dark.</summary>
public sealed class MainLayoutTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private IRenderedComponent<MainLayout> RenderAs(string? username, bool dark = false, bool interactive = false)
    {
        database.AddServices(Context.Services, TimeProvider.System);
        var authorization = Context.AddAuthorization();
        if (username is not null)
        {
            var persona = DemoPersonas.Find(username)!;
            authorization.SetAuthorized(persona.DisplayName);
            authorization.SetClaims(new Claim(PortalClaims.Name, persona.DisplayName), new Claim(PortalClaims.PreferredUsername, persona.Username),
                new Claim(PortalClaims.Roles, persona.Role));
        }
        Context.SetRendererInfo(new RendererInfo(interactive ? "Server" : "Static", interactive));
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo("http://localhost/models/churn-retail");
        return Context.Render<MainLayout>(builder =>
        {
            builder.OpenComponent<CascadingValue<bool>>(0);
            builder.AddComponentParameter(1, "Name", nameof(ThemePreference));
            builder.AddComponentParameter(2, "Value", dark);
            builder.AddComponentParameter(3, "ChildContent", (RenderFragment)(inner =>
            {
                inner.OpenComponent<MainLayout>(0);
                inner.AddComponentParameter(1, "Body", (RenderFragment)(body => body.AddMarkupContent(0, "<p id=\"page-body\">The page</p>")));
                inner.CloseComponent();
            }));
            builder.CloseComponent();
        });
    }

    [Theory]
    [InlineData("viewer@demo.test", new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports" })]
    [InlineData("owner@demo.test", new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports" })]
    [InlineData("compliance@demo.test", new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Review queue", "Reports", "Audit" })]
    [InlineData("auditor@demo.test", new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports", "Audit" })]
    [InlineData("admin@demo.test", new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports", "Admin", "Sessions", "Delivery", "Webhooks" })]
    public void The_drawer_offers_each_role_its_areas_and_marks_the_current_one(string username, string[] areas)
    {
        var layout = RenderAs(username);

        var links = layout.FindAll("nav.app-nav a");
        Assert.Equal(areas, links.Select(a => a.TextContent.Trim()));
        Assert.Equal(NavigationItems.For([DemoPersonas.Find(username)!.Role]).Select(i => i.Href), links.Select(a => a.GetAttribute("href")));
        Assert.Equal(["Models"], layout.FindAll("nav.app-nav a[aria-current=page]").Select(a => a.TextContent.Trim()));
        Assert.Equal("The page", layout.Find("main#main #page-body").TextContent);
    }

    [Fact]
    public void The_app_bar_names_the_person_their_role_and_the_build()
    {
        var layout = RenderAs("compliance@demo.test");

        Assert.Equal("Chloe Compliance", layout.Find("[data-testid=user-name]").TextContent);
        Assert.Equal([Roles.ComplianceOfficer], layout.FindAll("[data-testid=user-role]").Select(r => r.TextContent));
        Assert.False(string.IsNullOrWhiteSpace(layout.Find("[data-testid=build-version]").TextContent));
        Assert.Equal("/account/sign-out", layout.Find("form.sign-out").GetAttribute("action"));
        Assert.Equal("test-token", layout.Find("form.sign-out input[name=__RequestVerificationToken]").GetAttribute("value"));
    }

    [Fact]
    public async Task The_unread_count_is_the_persons_own_unread_notifications()
    {
        var layout = RenderAs("compliance@demo.test");
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var unread = await scope.ServiceProvider.GetRequiredService<Data.GovernanceDbContext>().Notifications
            .CountAsync(n => n.Recipient == "compliance@demo.test" && n.ReadAt == null);

        layout.WaitForAssertion(() =>
        {
            var link = layout.Find("[data-testid=notification-link]");
            Assert.Equal("/notifications", link.GetAttribute("href"));
            if (unread == 0)
            {
                Assert.Empty(layout.FindAll("[data-testid=unread-count]"));
                Assert.Equal("Notifications, none unread", link.GetAttribute("aria-label"));
            }
            else
            {
                Assert.Equal(unread.ToString(), layout.Find("[data-testid=unread-count]").TextContent);
                Assert.Equal($"Notifications, {unread} unread", link.GetAttribute("aria-label"));
            }
        });
    }

    [Theory]
    [InlineData(false, "theme-light", "dark", "Switch to dark mode")]
    [InlineData(true, "theme-dark", "light", "Switch to light mode")]
    public void The_theme_switch_posts_the_other_mode_and_comes_back_here(bool dark, string shellClass, string nextMode, string label)
    {
        var layout = RenderAs("viewer@demo.test", dark);

        Assert.Contains(shellClass, layout.Find(".portal-shell").ClassList);
        var form = layout.Find("form.theme-switch");
        Assert.Equal(ThemePreference.Path, form.GetAttribute("action"));
        Assert.Equal(nextMode, form.QuerySelector("input[name=mode]")!.GetAttribute("value"));
        Assert.Equal("/models/churn-retail", form.QuerySelector("input[name=returnUrl]")!.GetAttribute("value"));
        Assert.Equal(label, form.QuerySelector("button")!.GetAttribute("aria-label"));
    }

    [Fact]
    public void Only_an_interactive_shell_offers_the_drawer_button()
    {
        var layout = RenderAs("viewer@demo.test");

        Assert.Empty(layout.FindAll(".drawer-toggle"));
        Assert.Equal("off", layout.Find("main#main").GetAttribute("data-circuit"));
    }

    [Fact]
    public void An_interactive_shell_toggles_its_drawer()
    {
        var layout = RenderAs("viewer@demo.test", interactive: true);

        Assert.Equal("on", layout.Find("main#main").GetAttribute("data-circuit"));
        // A responsive drawer closes itself below its breakpoint, so the button says what the next click does.
        var before = layout.Find(".drawer-toggle").GetAttribute("aria-label");
        var drawerOpen = layout.FindAll(".app-drawer.mud-drawer--open").Count == 1;
        Assert.Equal(drawerOpen ? "Hide navigation" : "Show navigation", before);
        layout.Find(".drawer-toggle").Click();
        Assert.Equal(drawerOpen ? "Show navigation" : "Hide navigation", layout.Find(".drawer-toggle").GetAttribute("aria-label"));
        Assert.Equal(!drawerOpen, layout.FindAll(".app-drawer.mud-drawer--open").Count == 1);
    }

    [Fact]
    public void Signed_out_there_is_no_navigation_and_no_person()
    {
        var layout = RenderAs(null);

        Assert.Empty(layout.FindAll("nav.app-nav"));
        Assert.Empty(layout.FindAll("[data-testid=user-name]"));
        Assert.Equal("The page", layout.Find("#page-body").TextContent);
    }
}
