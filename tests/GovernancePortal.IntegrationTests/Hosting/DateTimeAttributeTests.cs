using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Hosting;

/// <summary>
/// Pages write machine-readable times that HTML accepts. Every page a test fetches through <see cref="PortalClient"/>
/// (or a browser session) is checked the same way; these pages carry the most of them.
/// </summary>
public abstract class DateTimeAttributeTests(PortalFactory portal)
{
    [Theory]
    [InlineData("2026-12-07T09:24:00.123Z", true)]
    [InlineData("2026-12-07T09:24:00Z", true)]
    [InlineData("2026-12-07", true)]
    [InlineData("2026-12-07T09:24:00.1234567+00:00", false)]
    [InlineData("2026-12-07T09:24:00.1234567Z", false)]
    [InlineData("07/12/2026", false)]
    public void The_check_follows_the_html_microsyntax(string value, bool valid) => Assert.Equal(valid, HtmlDateTimes.IsValid(value));

    [Fact]
    public async Task Pages_with_times_write_valid_datetime_attributes()
    {
        var auditor = await PortalClient.SignedInAsync(portal, "auditor@demo.test");
        var latest = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => e.Sequence));
        string[] pages = ["/production", "/models/sepsis-early-warning", "/audit", $"/audit/events/{latest}", "/notifications"];

        foreach (var url in pages)
        {
            var document = await auditor.GetDocumentAsync(url);
            Assert.Empty(HtmlDateTimes.Invalid(document));
        }
        Assert.NotEmpty((await auditor.GetDocumentAsync("/audit")).QuerySelectorAll(HtmlDateTimes.Selector));
    }
}

public sealed class DateTimeAttributeTestsOnSqlite(SqlitePortal portal) : DateTimeAttributeTests(portal), IClassFixture<SqlitePortal>;

public sealed class DateTimeAttributeTestsOnPostgreSql(PostgreSqlPortal portal) : DateTimeAttributeTests(portal), IClassFixture<PostgreSqlPortal>;
