using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Data;
using GovernancePortal.Retirement;
using GovernancePortal.Reviews;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Calendar;

/// <summary>
/// Personal calendar feeds: a secret address per person (made and revoked on their account page, audited) serving the
/// retirements and periodic reviews of the models they own or are named on, as iCalendar (RFC 5545, written by Ical.Net).
/// </summary>
public sealed class CalendarFeeds(GovernanceDbContext db, RetirementService retirements, ReviewService reviews, TimeProvider clock)
{
    public const string ProductId = "-//Governance Portal//Retirements and reviews//EN";

    public static string Path(string token) => $"/calendar/{token}.ics";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>When the person's current feed address was made; null when they have none.</summary>
    public async Task<DateTimeOffset?> CreatedAtAsync(string username, CancellationToken cancellationToken = default) =>
        await db.Set<CalendarFeedToken>().AsNoTracking().Where(t => t.Username == username).Select(t => (DateTimeOffset?)t.CreatedAt).SingleOrDefaultAsync(cancellationToken);

    /// <summary>Makes a new feed token for the person, replacing the one they had; the token is returned once and stored only as its hash.</summary>
    public async Task<string> CreateAsync(string username, Audit.AuditActor? actor = null, CancellationToken cancellationToken = default)
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(token);
        var row = await db.Set<CalendarFeedToken>().SingleOrDefaultAsync(t => t.Username == username, cancellationToken);
        var replaced = row is not null;
        if (row is null)
        {
            row = new CalendarFeedToken { Username = username, TokenHash = hash, CreatedAt = clock.GetUtcNow() };
            db.Set<CalendarFeedToken>().Add(row);
        }
        else
        {
            // The person's one row is rewritten, so the old address stops working in the same save that makes the new one.
            row.TokenHash = hash;
            row.CreatedAt = clock.GetUtcNow();
        }
        db.Audit.Record(replaced ? "calendar-feed.replaced" : "calendar-feed.created", row, new { username }, actor);
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    /// <summary>Revokes the person's feed address; false when they had none.</summary>
    public async Task<bool> RevokeAsync(string username, Audit.AuditActor? actor = null, CancellationToken cancellationToken = default)
    {
        var existing = await db.Set<CalendarFeedToken>().SingleOrDefaultAsync(t => t.Username == username, cancellationToken);
        if (existing is null)
        {
            return false;
        }
        db.Set<CalendarFeedToken>().Remove(existing);
        db.Audit.Record("calendar-feed.revoked", existing, new { username, replaced = false }, actor);
        return await db.TrySaveChangesAsync(cancellationToken);
    }

    /// <summary>The feed behind <paramref name="token"/>, or null for a token no one holds.</summary>
    public async Task<string?> FeedAsync(string token, string baseUrl, CancellationToken cancellationToken = default)
    {
        if (token.Length is < 20 or > 100)
        {
            return null;
        }
        var hash = Hash(token);
        var username = await db.Set<CalendarFeedToken>().AsNoTracking().Where(t => t.TokenHash == hash).Select(t => t.Username).SingleOrDefaultAsync(cancellationToken);
        return username is null ? null : await ForAsync(username, baseUrl, cancellationToken);
    }

    /// <summary>The person's open retirement plans and periodic reviews as an iCalendar document of all-day events.</summary>
    public async Task<string> ForAsync(string username, string baseUrl, CancellationToken cancellationToken = default)
    {
        var calendar = new Ical.Net.Calendar { ProductId = ProductId };
        calendar.AddProperty("X-WR-CALNAME", "Governance Portal: retirements and reviews");
        var stamp = new CalDateTime(clock.GetUtcNow().UtcDateTime, CalDateTime.UtcTzId);
        bool Mine(string owner, string businessOwner) =>
            string.Equals(owner, username, StringComparison.OrdinalIgnoreCase) || string.Equals(businessOwner, username, StringComparison.OrdinalIgnoreCase);

        var businessOwners = await db.Models.AsNoTracking().Select(m => new { m.Key, m.BusinessOwner }).ToDictionaryAsync(m => m.Key, m => m.BusinessOwner, cancellationToken);
        foreach (var plan in await retirements.ListAsync(null, null, cancellationToken))
        {
            if (!RetirementRules.IsOpen(plan.Plan.State)
                || !Mine(plan.Owner, businessOwners.GetValueOrDefault(plan.ModelKey, "")) && !plan.Plan.NotifyList.Contains(username, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            calendar.Events.Add(Event($"retirement-{plan.Plan.Id}@governance-portal", stamp, plan.Plan.PlannedDate,
                $"Retirement: {plan.ModelName} {plan.Version}",
                $"{plan.ModelName} {plan.Version} is planned to retire ({RetirementService.Describe(plan.Plan.Reason)}). "
                + (plan.Successor is { } s ? $"Successor: {s}." : $"No successor: {plan.Plan.NoSuccessorReason}"),
                baseUrl + RetirementService.Link(plan.ModelKey, plan.Version), "Retirement"));
        }
        foreach (var review in await reviews.StandingsAsync(cancellationToken))
        {
            if (!Mine(review.Owner, review.BusinessOwner))
            {
                continue;
            }
            calendar.Events.Add(Event($"review-{review.ModelId}-{review.DueDate:yyyyMMdd}@governance-portal", stamp, review.DueDate,
                $"Periodic review{(review.Status == ReviewStatus.Overdue ? " (overdue)" : "")}: {review.ModelName} {review.Version}",
                $"The periodic review of {review.ModelName} {review.Version} ({review.RiskTier} risk, every {review.Policy.IntervalMonths} months) is due.",
                baseUrl + ReviewService.Link(review.ModelKey), "Review"));
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    private static CalendarEvent Event(string uid, CalDateTime stamp, DateOnly date, string summary, string description, string url, string category)
    {
        var calendarEvent = new CalendarEvent
        {
            Uid = uid,
            DtStamp = stamp,
            DtStart = new CalDateTime(date),
            DtEnd = new CalDateTime(date.AddDays(1)),
            Summary = summary,
            Description = description,
            Url = new Uri(url),
        };
        calendarEvent.Categories.Add(category);
        return calendarEvent;
    }

}
