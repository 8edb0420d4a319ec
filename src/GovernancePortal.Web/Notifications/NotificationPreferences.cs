using System.Text.Json;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Notifications;

/// <summary>
/// One person's choices: per kind of event, e-mail immediately, in a daily digest or not at all, and the hour (UTC) of
/// their digest. Kinds without a choice keep their default (<see cref="NotificationKinds"/>); no row means all defaults.
/// </summary>
public sealed class NotificationPreference
{
    public const int DefaultDigestHour = 7;

    public required string Username { get; init; }
    public int DigestHour { get; set; } = DefaultDigestHour;
    /// <summary>The choices that differ from the defaults, as JSON <c>{"kind": "Digest"}</c>.</summary>
    public string Choices { get; set; } = "{}";
    public DateTimeOffset UpdatedAt { get; set; }
    public int Revision { get; set; }

    public IReadOnlyDictionary<string, DeliveryMode> ChoiceMap() =>
        JsonSerializer.Deserialize<Dictionary<string, DeliveryMode>>(Choices, Json) ?? [];

    public DeliveryMode ModeFor(string kind) => ChoiceMap().TryGetValue(kind, out var mode) ? mode : NotificationKinds.DefaultFor(kind);

    internal static readonly JsonSerializerOptions Json = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> builder)
    {
        builder.HasKey(p => p.Username);
        builder.Property(p => p.Username).HasMaxLength(256);
        builder.Property(p => p.Choices).HasMaxLength(4000);
        // Two tabs saving at once: the second is told to reload instead of silently undoing the first.
        builder.Property(p => p.Revision).IsConcurrencyToken();
    }
}

/// <summary>What the preferences page shows and saves: every kind with its current mode, and the digest hour.</summary>
public sealed record PreferenceChoices(IReadOnlyDictionary<string, DeliveryMode> Modes, int DigestHour, int Revision);

public enum PreferenceSaveOutcome
{
    Saved,
    Invalid,
    Conflict,
}

/// <summary>Reads and changes a person's own notification preferences; every change is audited with before and after.</summary>
public sealed class NotificationPreferences(GovernanceDbContext db, TimeProvider clock)
{
    public const string ChangedAction = "notification.preferences-changed";

    public async Task<PreferenceChoices> GetAsync(string username, CancellationToken cancellationToken = default)
    {
        var stored = await db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.Username == username, cancellationToken);
        var modes = NotificationKinds.All.ToDictionary(k => k.Kind, k => stored?.ModeFor(k.Kind) ?? k.Default, StringComparer.Ordinal);
        return new PreferenceChoices(modes, stored?.DigestHour ?? NotificationPreference.DefaultDigestHour, stored?.Revision ?? 0);
    }

    /// <summary>
    /// Saves <paramref name="choices"/> for <paramref name="username"/>: only kinds the portal knows and hours 0–23;
    /// Conflict when the person saved from elsewhere since <see cref="PreferenceChoices.Revision"/> was read.
    /// </summary>
    public async Task<PreferenceSaveOutcome> SaveAsync(string username, PreferenceChoices choices, AuditActor actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(username) || choices.DigestHour is < 0 or > 23 || choices.Modes.Keys.Any(k => NotificationKinds.Find(k) is null)
            || choices.Modes.Values.Any(m => !Enum.IsDefined(m)))
        {
            return PreferenceSaveOutcome.Invalid;
        }
        var stored = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.Username == username, cancellationToken);
        if ((stored?.Revision ?? 0) != choices.Revision)
        {
            return PreferenceSaveOutcome.Conflict;
        }
        var before = stored is null ? null : new { digestHour = stored.DigestHour, choices = stored.ChoiceMap() };
        if (stored is null)
        {
            stored = new NotificationPreference { Username = username };
            db.NotificationPreferences.Add(stored);
        }
        // Only what differs from the defaults is kept, so a default changed later reaches everyone who never chose.
        var differing = choices.Modes.Where(c => c.Value != NotificationKinds.DefaultFor(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal)
            .ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        stored.Choices = JsonSerializer.Serialize(differing, NotificationPreference.Json);
        stored.DigestHour = choices.DigestHour;
        stored.UpdatedAt = clock.GetUtcNow();
        stored.Revision++;
        db.Audit.Record(ChangedAction, stored, new { before, after = new { digestHour = stored.DigestHour, choices = differing } }, actor);
        try
        {
            return await db.TrySaveChangesAsync(cancellationToken) ? PreferenceSaveOutcome.Saved : PreferenceSaveOutcome.Conflict;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear(); // another tab saved this person's first choices at the same moment
            return PreferenceSaveOutcome.Conflict;
        }
    }

    /// <summary>The stored preferences of <paramref name="usernames"/>, for the delivery job; people without a row are absent.</summary>
    public async Task<Dictionary<string, NotificationPreference>> ForAsync(IEnumerable<string> usernames, CancellationToken cancellationToken = default)
    {
        var names = usernames.Distinct(StringComparer.Ordinal).ToList();
        var rows = await db.NotificationPreferences.AsNoTracking().Where(p => names.Contains(p.Username)).ToListAsync(cancellationToken);
        return rows.ToDictionary(p => p.Username, StringComparer.OrdinalIgnoreCase);
    }
}
