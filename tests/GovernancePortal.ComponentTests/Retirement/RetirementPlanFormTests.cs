using Bunit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Retirement;

/// <summary>The retirement plan form over the demo portfolio and the real service: errors at their fields, a valid plan saved and audited.</summary>
public sealed class RetirementPlanFormTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly Caller Owner = new("owner@demo.test", [Roles.ModelOwner], "Credit Risk Analytics");

    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> read)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    [Fact]
    public async Task A_past_date_and_a_missing_successor_are_shown_at_their_fields_and_a_valid_plan_is_saved_and_audited()
    {
        database.AddServices(Context.Services, TimeProvider.System);
        var target = await DbAsync(db => db.ModelVersions.Where(v => v.Model.Team == Owner.Team && v.Stage == Stage.Staging
                && !db.RetirementPlans.Any(p => p.VersionId == v.Id))
            .Select(v => new { v.Model.Key, v.Major, v.Minor, v.Pipeline }).FirstAsync());
        var version = new VersionNumber(target.Major, target.Minor, target.Pipeline).ToString();
        RetirementPlan? saved = null;
        var form = Render<RetirementPlanForm>(new()
        {
            [nameof(RetirementPlanForm.Key)] = target.Key,
            [nameof(RetirementPlanForm.Version)] = version,
            [nameof(RetirementPlanForm.Caller)] = Owner,
            [nameof(RetirementPlanForm.OnSaved)] = Microsoft.AspNetCore.Components.EventCallback.Factory.Create<RetirementPlan>(this, p => saved = p),
        });

        form.Find("[data-testid=planned-date] input").Change("2020-01-31");
        form.Find("[data-testid=reason-Superseded] input").Click();
        form.Find("[data-testid=save-plan]").Click();
        form.WaitForAssertion(() => Assert.Contains("after today", form.Find("[data-testid=planned-date]").TextContent));
        Assert.Contains("Name a successor, or say why the version has none.", form.Find("[data-testid=successor]").TextContent);
        Assert.NotNull(form.Find("[data-testid=form-problem]"));
        Assert.Null(saved);

        var planned = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(40);
        form.Find("[data-testid=planned-date] input").Change(planned.ToString("yyyy-MM-dd"));
        form.Find("[data-testid=successor] input").Change($"{target.Key} 9.9.9");
        form.Find("[data-testid=save-plan]").Click();
        form.WaitForAssertion(() => Assert.Contains("No registered version", form.Find("[data-testid=successor]").TextContent));

        form.Find("[data-testid=no-successor] input").Change(true);
        form.Find("[data-testid=no-successor-reason] textarea").Change("The product line closes.");
        form.Find("[data-testid=notify] input").Change("compliance@demo.test");
        form.Find("[data-testid=save-plan]").Click();
        form.WaitForAssertion(() => Assert.NotNull(saved));

        var stored = await DbAsync(db => db.RetirementPlans.AsNoTracking().SingleAsync(p => p.Id == saved!.Id));
        Assert.Equal((planned, RetirementReason.Superseded, (Guid?)null, "The product line closes.", "compliance@demo.test", RetirementState.Scheduled),
            (stored.PlannedDate, stored.Reason, stored.SuccessorVersionId, stored.NoSuccessorReason, stored.Notify, stored.State));
        Assert.Equal(1, await DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "retirement.planned" && e.EntityId == stored.Id.ToString())));
    }
}
