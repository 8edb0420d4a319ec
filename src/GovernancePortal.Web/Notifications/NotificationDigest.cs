using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Notifications;

public sealed record DigestItem(string Path, string Title);

/// <summary>
/// Gathers each person's held e-mails (kinds they want in a digest) into one e-mail a day at the hour they chose (UTC).
/// The digest is an outbox row keyed by person and day, inserted in the transaction that marks its items digested, so
/// it is staged once whichever instance runs first and however often the job runs; the delivery job sends it with the
/// usual retries. A day missed while no portal ran is caught up by the next run, like the other jobs.
/// </summary>
public sealed class NotificationDigest(GovernanceDbContext db, NotificationPreferences preferences, TimeProvider clock)
{
    public const string PreferencesPath = "/account/notifications";
    private const int MaxBody = 4000;

    /// <summary>The day whose digest is due at <paramref name="now"/>: today once the hour has come, else yesterday.</summary>
    public static DateOnly DueDay(int digestHour, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return now.UtcDateTime.Hour >= digestHour ? today : today.AddDays(-1);
    }

    public static string Key(string username, DateOnly day) => $"digest/{username.ToLowerInvariant()}/{day:yyyy-MM-dd}";

    /// <summary>One line per item, path and title; what does not fit is counted in a last line.</summary>
    public static string Lines(IReadOnlyList<DigestItem> items)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            var line = $"{items[i].Path}\t{items[i].Title.Replace('\t', ' ').Replace('\n', ' ')}\n";
            var rest = $"/notifications\t… and {items.Count - i} more in your notifications\n";
            if (text.Length + line.Length + rest.Length > MaxBody)
            {
                return text.Append(rest).ToString();
            }
            text.Append(line);
        }
        return text.ToString();
    }

    public static IReadOnlyList<DigestItem> Parse(string body) => body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split('\t', 2)).Where(p => p.Length == 2).Select(p => new DigestItem(p[0], p[1])).ToList();

    /// <summary>Stages the digests that are due; returns how many.</summary>
    public async Task<int> StageDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var waiting = await db.Outbox.AsNoTracking().Where(m => m.State == OutboxState.Held).Select(m => m.Recipient).Distinct().ToListAsync(cancellationToken);
        var chosen = await preferences.ForAsync(waiting, cancellationToken);
        var staged = 0;
        foreach (var recipient in waiting)
        {
            var hour = chosen.TryGetValue(recipient, out var preference) ? preference.DigestHour : NotificationPreference.DefaultDigestHour;
            var day = DueDay(hour, now);
            var dueAt = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero);
            var key = Key(recipient, day);
            if (!await db.Outbox.AnyAsync(m => m.IdempotencyKey == key, cancellationToken) && await StageAsync(recipient, day, dueAt, now, cancellationToken))
            {
                staged++;
            }
        }
        return staged;
    }

    private async Task<bool> StageAsync(string recipient, DateOnly day, DateTimeOffset dueAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // What was held before the digest's hour; later items wait for the next day's.
        var items = await db.Outbox.Where(m => m.State == OutboxState.Held && m.Recipient == recipient && m.CreatedAt <= dueAt)
            .OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);
        if (items.Count == 0)
        {
            return false;
        }
        items.ForEach(m => m.State = OutboxState.Digested);
        db.Outbox.Add(new OutboxMessage
        {
            IdempotencyKey = Key(recipient, day), Channel = EmailChannel.Name, Recipient = recipient, Kind = NotificationKinds.Digest,
            Title = items.Count == 1 ? $"Your daily digest for {day:yyyy-MM-dd}: 1 notification" : $"Your daily digest for {day:yyyy-MM-dd}: {items.Count} notifications",
            Body = Lines(items.Select(m => new DigestItem(m.Link, m.Title)).ToList()), Link = "/notifications", CreatedAt = now, NextAttemptAt = now,
        });
        try
        {
            // Held rows carry State as a concurrency token: if another instance digested them first, nothing here is saved.
            return await db.TrySaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}

/// <summary>Stages the daily digests that are due (every 10 minutes, so an hour is met within minutes; ADR-028).</summary>
public sealed class NotificationDigestJob(NotificationDigest digest) : Jobs.IPortalJob
{
    public const string Id = "notification-digest";

    public Task RunAsync(CancellationToken cancellationToken) => digest.StageDueAsync(cancellationToken);
}
