using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Audit;

/// <summary>
/// The refusals of one identity on one route in one minute, counted as they happen and written to the audit trail as a
/// single <c>authorization.refused</c> event with the count once the minute is over (ADR-023). The key is the unique
/// identity + route + minute, so any number of requests on any number of instances count into one row; the row's
/// <see cref="Recorded"/> flag is set in the transaction that appends the event, guarded by <see cref="Count"/> and
/// <see cref="Recorded"/> as concurrency tokens, so two instances recording at once write the event once.
/// </summary>
[AuditExempt]
public sealed class AuthorizationRefusal
{
    /// <summary>The person (object id), and the API key when one was used.</summary>
    public required string Identity { get; init; }

    /// <summary>Method and route pattern, e.g. <c>GET /api/v1/audit/verify</c>: every path of a route folds together.</summary>
    public required string Route { get; init; }

    /// <summary>Minutes since the Unix epoch (UTC).</summary>
    public long Minute { get; init; }

    public int Count { get; set; }
    public required string ActorOid { get; init; }
    public required string ActorUsername { get; init; }
    public required string ActorRoles { get; init; }
    public string? ActorApiKey { get; init; }
    public required string Method { get; init; }
    public required string Endpoint { get; init; }

    /// <summary>The first path refused in the minute, as an example of what was asked.</summary>
    public required string FirstPath { get; init; }

    public string? ClientAddress { get; init; }
    public DateTimeOffset FirstAt { get; init; }
    public bool Recorded { get; set; }
}

internal sealed class AuthorizationRefusalConfiguration : IEntityTypeConfiguration<AuthorizationRefusal>
{
    public void Configure(EntityTypeBuilder<AuthorizationRefusal> builder)
    {
        builder.ToTable("AuthorizationRefusals");
        builder.HasKey(r => new { r.Identity, r.Route, r.Minute });
        builder.Property(r => r.Identity).HasMaxLength(AuthorizationRefusals.MaxIdentity);
        builder.Property(r => r.Route).HasMaxLength(AuthorizationRefusals.MaxRoute);
        builder.Property(r => r.Count).IsConcurrencyToken();
        builder.Property(r => r.Recorded).IsConcurrencyToken();
        builder.Property(r => r.ActorOid).HasMaxLength(64);
        builder.Property(r => r.ActorUsername).HasMaxLength(256);
        builder.Property(r => r.ActorRoles).HasMaxLength(256);
        builder.Property(r => r.ActorApiKey).HasMaxLength(128);
        builder.Property(r => r.Method).HasMaxLength(16);
        builder.Property(r => r.Endpoint).HasMaxLength(AuthorizationRefusals.MaxRoute);
        builder.Property(r => r.FirstPath).HasMaxLength(AuthorizationRefusals.MaxRoute);
        builder.Property(r => r.ClientAddress).HasMaxLength(64);
        builder.HasIndex(r => new { r.Recorded, r.Minute });
    }
}

/// <summary>Counts refusals into their minute and records the minutes that are over.</summary>
public sealed class AuthorizationRefusals(GovernanceDbContext db, TimeProvider clock, ILogger<AuthorizationRefusals> logger)
{
    public const string Action = "authorization.refused";
    public const int MaxIdentity = 200;
    public const int MaxRoute = 512;

    /// <summary>Recorded rows are kept this long (so a late count finds its row and is not taken for a new minute), then deleted.</summary>
    private const long KeepRecordedMinutes = 24 * 60;

    private const int Batch = 500;

    private DbSet<AuthorizationRefusal> Refusals => db.Set<AuthorizationRefusal>();

    /// <summary>One statement in the common case (the minute's row exists): no audit chain lock, no waiting on anyone's save.</summary>
    public async Task CountAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var actor = HttpAuditContextAccessor.ActorOf(context.User);
        var identity = Cut(actor.ApiKeyLabel is null ? actor.Oid : $"{actor.Oid} key:{actor.ApiKeyLabel}", MaxIdentity);
        var pattern = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "/";
        var route = Cut($"{context.Request.Method} {pattern}", MaxRoute);
        var now = clock.GetUtcNow();
        var minute = MinuteOf(now);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var counted = await Refusals.Where(r => r.Identity == identity && r.Route == route && r.Minute == minute && !r.Recorded)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Count, r => r.Count + 1), cancellationToken);
            if (counted > 0 || attempt > 0)
            {
                if (counted == 0)
                {
                    logger.LogWarning("A refusal of {Identity} on {Route} came after its minute was recorded; it is not counted.", identity, route);
                }
                return;
            }
            var entry = Refusals.Add(new AuthorizationRefusal
            {
                Identity = identity, Route = route, Minute = minute, Count = 1,
                ActorOid = actor.Oid, ActorUsername = actor.Username, ActorRoles = string.Join(',', actor.Roles), ActorApiKey = actor.ApiKeyLabel,
                Method = context.Request.Method, Endpoint = Cut(pattern, MaxRoute), FirstPath = Cut(context.Request.Path.Value ?? "/", MaxRoute),
                ClientAddress = context.Connection.RemoteIpAddress?.ToString(), FirstAt = now,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                // Another request opened the minute first: count into its row.
                entry.State = EntityState.Detached;
            }
        }
    }

    /// <summary>
    /// Appends one event per identity, route and minute that ended at least a full minute before <paramref name="asOf"/>
    /// (the grace lets counts still under way land first). Returns how many events this call wrote.
    /// </summary>
    public async Task<int> RecordDueAsync(DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var before = MinuteOf(asOf) - 1;
        var written = 0;
        List<AuthorizationRefusal> due;
        do
        {
            due = await Refusals.AsNoTracking().Where(r => !r.Recorded && r.Minute < before)
                .OrderBy(r => r.Minute).ThenBy(r => r.FirstAt).Take(Batch).ToListAsync(cancellationToken);
            foreach (var refusal in due)
            {
                written += await RecordAsync(refusal, cancellationToken) ? 1 : 0;
            }
        }
        while (due.Count == Batch);
        await Refusals.Where(r => r.Recorded && r.Minute < before - KeepRecordedMinutes).ExecuteDeleteAsync(cancellationToken);
        return written;
    }

    private async Task<bool> RecordAsync(AuthorizationRefusal refusal, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        Refusals.Attach(refusal);
        refusal.Recorded = true;
        var actor = new AuditActor(refusal.ActorOid, refusal.ActorUsername,
            refusal.ActorRoles.Split(',', StringSplitOptions.RemoveEmptyEntries), refusal.ActorApiKey);
        db.Audit.Record(Action, "Endpoint", refusal.Endpoint, new
        {
            method = refusal.Method,
            count = refusal.Count,
            minute = DateTimeOffset.FromUnixTimeSeconds(refusal.Minute * 60),
            firstAt = refusal.FirstAt,
            firstPath = refusal.FirstPath,
            clientAddress = refusal.ClientAddress,
        }, actor);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another instance recorded this minute (or a late count moved it; the next sweep records the new count).
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public static long MinuteOf(DateTimeOffset time) => (long)Math.Floor(time.ToUnixTimeMilliseconds() / 60_000d);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}

public static class AuthorizationRefusalServices
{
    /// <summary>The counter; <c>AuthorizationRefusalJob</c> records the minutes that are over.</summary>
    public static void AddAuthorizationRefusalFolding(this IHostApplicationBuilder builder) => builder.Services.AddScoped<AuthorizationRefusals>();
}
