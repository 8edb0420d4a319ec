using System.Net;
using System.Text.Json;
using GovernancePortal.Compliance;
using GovernancePortal.Notifications;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Compliance.ChecklistCalls;

namespace GovernancePortal.ReviewQueue;

/// <summary>The review queue over HTTP: submitted checklists oldest first with their age, paged, for officers only; the home page shows its head.</summary>
public abstract class ReviewQueueTests(MailPortal portal)
{
    private sealed record Row(Guid AssessmentId, string ModelKey, string TemplateId, DateTimeOffset? SubmittedAt);

    private static async Task<(List<Row> Items, int Total)> QueueAsync(HttpClient client, string query = "")
    {
        var body = await OkAsync(await client.GetAsync($"/api/v1/reviews-queue{query}"));
        var items = body.GetProperty("items").EnumerateArray().Select(i => new Row(i.GetProperty("assessmentId").GetGuid(), i.GetProperty("modelKey").GetString()!,
            i.GetProperty("templateId").GetString()!, i.GetProperty("submittedAt").ValueKind == JsonValueKind.Null ? null : i.GetProperty("submittedAt").GetDateTimeOffset())).ToList();
        return (items, body.GetProperty("total").GetInt32());
    }

    private async Task<string> SubmittedAsync(HttpClient owner2, string key)
    {
        await ChecklistTestData.PhiModelAsync(owner2, key);
        await CompleteAsync(owner2, key, "1.0.0");
        await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));
        return key;
    }

    [Fact]
    public async Task Officers_get_submitted_checklists_oldest_first_paged_and_a_sign_off_takes_one_out()
    {
        var owner2 = await ChecklistTestData.ApiAsync(portal, "owner2@demo.test");
        var older = await SubmittedAsync(owner2, "queued-older");
        portal.Clock.Advance(TimeSpan.FromHours(30));
        var newer = await SubmittedAsync(owner2, "queued-newer");
        var officer = await ChecklistTestData.ApiAsync(portal, "compliance@demo.test");

        var (items, total) = await QueueAsync(officer, "?take=100");
        var inReview = await portal.WithDbAsync(db => db.Assessments.CountAsync(a => a.Status == AssessmentStatus.InReview));
        Assert.Equal(inReview, total);
        Assert.Equal(items.OrderBy(i => i.SubmittedAt).Select(i => i.AssessmentId), items.Select(i => i.AssessmentId));
        Assert.True(items.FindIndex(i => i.ModelKey == older) < items.FindIndex(i => i.ModelKey == newer));
        Assert.All(items, i => Assert.Equal("hipaa", i.TemplateId));

        // Pages follow one another without gaps or repeats.
        var first = await QueueAsync(officer, "?skip=0&take=1");
        var second = await QueueAsync(officer, "?skip=1&take=1");
        Assert.Equal(items.Take(2).Select(i => i.AssessmentId), first.Items.Concat(second.Items).Select(i => i.AssessmentId));
        Assert.Equal(total, first.Total);

        await AcceptAllAndSignOffAsync(officer, older, "1.0.0");
        var after = await QueueAsync(officer, "?take=100");
        Assert.Equal(total - 1, after.Total);
        Assert.DoesNotContain(after.Items, i => i.ModelKey == older);
        Assert.Contains(after.Items, i => i.ModelKey == newer);
    }

    [Fact]
    public async Task The_queue_is_for_compliance_officers_and_refuses_bad_paging_with_problem_details()
    {
        var owner = await ChecklistTestData.ApiAsync(portal, "owner@demo.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync("/api/v1/reviews-queue")).StatusCode);
        var officer = await ChecklistTestData.ApiAsync(portal, "compliance2@demo.test");
        foreach (var (query, field) in new[] { ("?take=0", "take"), ("?take=101", "take"), ("?skip=-1", "skip"), ("?skip=x", "skip") })
        {
            var response = await officer.GetAsync($"/api/v1/reviews-queue{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), query);
        }
    }

    [Fact]
    public async Task The_officers_home_page_lists_the_head_of_the_queue_and_links_to_it_and_the_page_is_refused_to_owners()
    {
        var owner2 = await ChecklistTestData.ApiAsync(portal, "owner2@demo.test");
        var key = await SubmittedAsync(owner2, "queued-home");
        var officer = await ChecklistTestData.ApiAsync(portal, "compliance@demo.test");
        var (items, total) = await QueueAsync(officer, $"?take={Home.HomeQueries.ReviewsOnHome}");

        var browser = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var home = await browser.GetDocumentAsync("/");
        var links = home.QuerySelectorAll("[data-testid=waiting-reviews] tbody tr td:first-child a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(items.Select(i => $"/models/{i.ModelKey}/versions/1.0.0/compliance/{i.TemplateId}"), links);
        Assert.NotNull(home.QuerySelector("[data-testid=review-queue-link] a[href='/review-queue']"));
        Assert.True(total >= 1 && items.Count == Math.Min(total, Home.HomeQueries.ReviewsOnHome), key);

        var queuePage = await browser.Http.GetAsync("/review-queue");
        Assert.Equal(HttpStatusCode.OK, queuePage.StatusCode);
        var ownerBrowser = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var refused = await ownerBrowser.Http.GetAsync("/review-queue");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/account/access-denied", refused.Headers.Location!.OriginalString);
    }
}

public sealed class ReviewQueueTestsOnSqlite(SqliteMailPortal portal) : ReviewQueueTests(portal), IClassFixture<SqliteMailPortal>;

public sealed class ReviewQueueTestsOnPostgreSql(PostgreSqlMailPortal portal) : ReviewQueueTests(portal), IClassFixture<PostgreSqlMailPortal>;
