using System.Security.Claims;
using Bunit;
using GovernancePortal.Approvals;
using GovernancePortal.Compliance;
using GovernancePortal.Components.Pages.Home;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Home;

/// <summary>The home page per role on the demo portfolio, through the real queries: each person sees their own work.</summary>
public sealed class HomePageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private IRenderedComponent<HomePage> RenderAs(string username)
    {
        database.AddServices(Context.Services, TimeProvider.System);
        var persona = DemoPersonas.Find(username)!;
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(persona.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.Name, persona.DisplayName), new Claim(PortalClaims.PreferredUsername, persona.Username),
            new Claim(PortalClaims.Roles, persona.Role));
        var page = Render<HomePage>();
        page.WaitForElement("[data-testid=stat-models]");
        return page;
    }

    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> read)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    [Fact]
    public async Task A_stakeholder_sees_production_by_risk_card_completeness_and_checklists()
    {
        var page = RenderAs("viewer@demo.test");
        var production = await DbAsync(db => db.ModelVersions.Where(v => v.Stage == Stage.Production).Select(v => v.Model.Name).ToListAsync());

        Assert.Equal((await DbAsync(db => db.Models.CountAsync())).ToString(), page.Find("[data-testid=stat-models]").TextContent);
        Assert.NotEmpty(production);
        var rows = page.FindAll("[data-testid=production-cards] tbody tr");
        Assert.Equal(production.Order(), rows.Select(r => r.QuerySelector("td a")!.TextContent).Order());
        Assert.All(rows, r => Assert.Matches(@"^\d{1,3}%$", r.QuerySelector("td .num")!.TextContent));
        Assert.NotEmpty(page.FindAll(".mud-chart"));
        Assert.Contains("in Production", page.Find("#tier-stage-summary").TextContent);
        Assert.NotEmpty(page.FindAll("[data-testid=checklist-coverage] tbody tr"));
        Assert.Empty(page.FindAll("[data-testid=owned-models], [data-testid=waiting-approvals], [data-testid=verification-status]"));
    }

    [Fact]
    public async Task An_owner_sees_their_teams_models_and_what_blocks_each()
    {
        var page = RenderAs("owner@demo.test");
        var owned = await DbAsync(db => db.Models.Where(m => m.Team == "Credit Risk Analytics" || m.Owner == "owner@demo.test").Select(m => m.Key).ToListAsync());

        Assert.NotEmpty(owned);
        var rows = page.FindAll("[data-testid=owned-models] tbody tr");
        Assert.Equal(owned.Order(StringComparer.Ordinal), rows.Select(r => r.QuerySelector("td a")!.GetAttribute("href")!["/models/".Length..]));
        Assert.All(rows, r => Assert.NotEmpty(r.QuerySelector("td:last-child")!.TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=production-cards], [data-testid=waiting-approvals]"));
    }

    [Fact]
    public async Task A_compliance_officer_sees_requests_waiting_oldest_first_and_checklists_to_review()
    {
        var page = RenderAs("compliance@demo.test");
        var pending = await DbAsync(db => db.Promotions.Where(p => p.State == PromotionRequestState.Pending).Select(p => new { p.Id, p.CreatedAt }).ToListAsync());
        var inReview = await DbAsync(db => db.Assessments.Where(a => a.Status == AssessmentStatus.InReview).Select(a => new { a.Id, a.SubmittedAt }).ToListAsync());

        if (pending.Count == 0)
        {
            Assert.Contains("No request is waiting", page.Markup);
        }
        else
        {
            var links = page.FindAll("[data-testid=waiting-approvals] tbody tr td:first-child a").Select(a => a.GetAttribute("href")).ToList();
            Assert.Equal(pending.OrderBy(p => p.CreatedAt).Select(p => $"/approvals/{p.Id}"), links);
            Assert.NotEmpty(page.FindAll(".mud-chart"));
        }
        // The oldest few of the review queue, the same list the queue page starts with.
        if (inReview.Count == 0)
        {
            Assert.Contains("No checklist is waiting for review", page.Markup);
        }
        else
        {
            Assert.Equal(Math.Min(inReview.Count, HomeQueries.ReviewsOnHome), page.FindAll("[data-testid=waiting-reviews] tbody tr").Count);
            Assert.Equal("/review-queue", page.Find("[data-testid=review-queue-link] a").GetAttribute("href"));
        }
        Assert.Empty(page.FindAll("[data-testid=owned-models], [data-testid=production-cards]"));
    }

    [Fact]
    public async Task An_auditor_sees_verification_the_latest_checkpoint_and_events_per_day()
    {
        var page = RenderAs("auditor@demo.test");
        var openAlerts = await DbAsync(db => db.AuditAlerts.CountAsync(a => a.ResolvedAt == null));
        var checkpoints = await DbAsync(db => db.AuditCheckpoints.CountAsync());

        var status = page.Find("[data-testid=verification-status]").TextContent;
        Assert.Contains(openAlerts == 0 ? "No open alerts" : $"{openAlerts} open alert(s)", status);
        Assert.Equal(checkpoints > 0, page.FindAll("[data-testid=latest-checkpoint]").Count == 1);
        // The demo data was written just now, so today has events and the chart is drawn.
        Assert.NotEmpty(page.FindAll(".mud-chart"));
        Assert.Matches(@"[1-9]\d* today", page.Find("#events-summary").TextContent);
        Assert.Empty(page.FindAll("[data-testid=owned-models], [data-testid=waiting-approvals]"));
    }
}
