using Bunit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Reviews;

/// <summary>The periodic review form and answers over the demo portfolio and the real service: errors at the question, answers saved and audited.</summary>
public sealed class ReviewFormTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    [Fact]
    public async Task Unanswered_questions_are_shown_at_the_question_and_complete_answers_are_saved_and_audited()
    {
        database.AddServices(Context.Services, TimeProvider.System);
        var standing = (await InScopeAsync(sp => sp.GetRequiredService<ReviewService>().StandingsAsync()))
            .First(s => s.Current is null || s.Current.State != PeriodicReviewState.Answered);
        var owner = await InScopeAsync(async sp => await sp.GetRequiredService<GovernanceDbContext>().Users.AsNoTracking().SingleAsync(u => u.Username == standing.Owner));
        PeriodicReview? saved = null;
        var form = Render<ReviewForm>(new()
        {
            [nameof(ReviewForm.Standing)] = standing,
            [nameof(ReviewForm.Caller)] = new Caller(owner.Username, [Roles.ModelOwner], owner.Team),
            [nameof(ReviewForm.OnSaved)] = Microsoft.AspNetCore.Components.EventCallback.Factory.Create<PeriodicReview>(this, r => saved = r),
        });

        form.Find("[data-testid=thresholds-met-yes] input").Click();
        form.Find("[data-testid=save-review]").Click();
        await form.WaitForAssertionAsync(() => Assert.Contains("rests on", form.Find("[data-testid=question-thresholds-met]").TextContent), TimeSpan.FromSeconds(30));
        Assert.Contains("Answer yes or no.", form.Find("[data-testid=question-drift-seen]").TextContent);
        Assert.NotNull(form.Find("[data-testid=form-problem]"));
        Assert.Null(saved);

        foreach (var question in ReviewRules.Questions)
        {
            form.Find($"[data-testid={question.Id}-{(question.Id == "drift-seen" ? "yes" : question.Reassuring ? "yes" : "no")}] input").Click();
            form.Find($"[data-testid={question.Id}-comment] textarea").Change($"Checked {question.Id} on the monitoring dashboard.");
        }
        form.Find("[data-testid=save-review]").Click();
        await form.WaitForAssertionAsync(() => Assert.NotNull(saved), TimeSpan.FromSeconds(30));

        var stored = await InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().Set<PeriodicReview>().AsNoTracking().SingleAsync(r => r.Id == saved!.Id));
        Assert.Equal((PeriodicReviewState.Answered, owner.Username, standing.DueDate), (stored.State, stored.AnsweredBy, stored.DueDate));
        var answers = ReviewService.ReadAnswers(stored.AnswersJson);
        Assert.Equal(["drift-seen"], ReviewRules.Concerns(answers).Select(q => q.Id));
        Assert.Equal(1, await InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().AuditEvents
            .CountAsync(e => e.Action == "review.answered" && e.EntityId == stored.Id.ToString())));

        // The answers as an officer reads them: the one that is not reassuring is marked.
        var shown = Render<ReviewAnswers>(new() { [nameof(ReviewAnswers.Answers)] = answers });
        Assert.Contains("needs attention", shown.Find("[data-testid=answer-drift-seen]").TextContent);
        Assert.DoesNotContain("needs attention", shown.Find("[data-testid=answer-incidents]").TextContent);
    }
}
