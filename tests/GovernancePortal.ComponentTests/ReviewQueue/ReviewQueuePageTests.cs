using System.Security.Claims;
using Bunit;
using GovernancePortal.Audit;
using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.ReviewQueue;

/// <summary>The review queue page over the demo database with its checklists put in review at known times.</summary>
public sealed class ReviewQueuePageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    [Fact]
    public async Task Officers_see_each_waiting_checklist_oldest_first_with_its_age_and_a_link_to_it()
    {
        database.AddServices(Context.Services, TimeProvider.System);
        var officer = DemoPersonas.Find("compliance@demo.test")!;
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(officer.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.PreferredUsername, officer.Username), new Claim(PortalClaims.Roles, officer.Role));
        var now = DateTimeOffset.UtcNow;
        var ages = new[] { TimeSpan.FromHours(2), TimeSpan.FromDays(10), TimeSpan.FromDays(3) };
        var expected = await DbAsync(async db =>
        {
            // Three of the demo's assessments wait for review at known ages; any other the demo left in review goes back to the owner.
            var all = await db.Assessments.Include(a => a.Version).ThenInclude(v => v.Model).OrderBy(a => a.Id).ToListAsync();
            var assessments = all.Take(ages.Length).ToList();
            Assert.Equal(ages.Length, assessments.Count);
            foreach (var other in all.Skip(ages.Length).Where(a => a.Status == AssessmentStatus.InReview))
            {
                other.Status = AssessmentStatus.InProgress;
                db.Audit.Record("test.assessment-reopened", other, new { source = "test" });
            }
            foreach (var (assessment, age) in assessments.Zip(ages))
            {
                assessment.Status = AssessmentStatus.InReview;
                assessment.SubmittedAt = now - age;
                assessment.SubmittedBy = assessment.Version.Model.Owner;
                db.Audit.Record("assessment.submitted", assessment, new { source = "test" });
            }
            await db.SaveChangesAsync();
            return assessments.OrderBy(a => a.SubmittedAt)
                .Select(a => ($"/models/{a.Version.Model.Key}/versions/{a.Version.Number}/compliance/{a.TemplateId}", now - a.SubmittedAt!.Value)).ToList();
        });

        var page = Render<ReviewQueuePage>();

        await page.WaitForAssertionAsync(() => Assert.Equal(expected.Count, page.FindAll("[data-testid=queue-link]").Count));
        Assert.Equal(expected.Select(e => e.Item1), page.FindAll("[data-testid=queue-link]").Select(a => a.GetAttribute("href")));
        Assert.Equal(["10 d", "3 d", "2 h"], page.FindAll("[data-testid=queue-age]").Select(a => a.TextContent.Trim()));
    }
}
