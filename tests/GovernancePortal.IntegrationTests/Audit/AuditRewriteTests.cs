using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

/// <summary>
/// The attacks of issue 18, as someone with write access to the database would make them. Each test has a portal and a
/// database of its own (they leave the log damaged), a clock it moves by hand and, where it says so, a witness directory.
/// </summary>
public abstract class AuditRewriteTests(TestDatabase database)
{
    private const int Events = 260;

    private sealed class RewritePortal(TestDatabase database, string? witness) : ClockedPortal(database)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Audit:Checkpoint:MaxEvents", "100");
            builder.UseSetting("Audit:Checkpoint:MaxAge", "00:05:00");
            if (witness is not null)
            {
                builder.UseSetting("Audit:Witness:Directory", witness);
            }
        }
    }

    // 260 events a second apart, checkpoints at 100, 200 and 260 as the job cuts them, then ten minutes on, one more.
    private static async Task<RewritePortal> StartAsync(TestDatabase database, string? witness = null)
    {
        var portal = new RewritePortal(database, witness);
        await portal.InitializeAsync();
        var already = await portal.WithDbAsync(db => db.AuditEvents.CountAsync());
        for (var i = already; i < Events; i++)
        {
            portal.Clock.Advance(TimeSpan.FromSeconds(1));
            await portal.WithDbAsync(db =>
            {
                db.Audit.Record("test.happened", "Thing", $"thing-{i}", new { i });
                return db.SaveChangesAsync();
            });
        }
        var run = await CheckpointAsync(portal);
        Assert.Null(run.RefusedBecause);
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        await portal.WithDbAsync(db =>
        {
            db.Audit.Record("test.later", "Thing", "later");
            return db.SaveChangesAsync();
        });
        var intact = await VerifyAsync(portal);
        Assert.True(intact.Valid, intact.Reason);
        return portal;
    }

    private static async Task<CheckpointRun> CheckpointAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditCheckpointService>().CreateDueAsync(force: true);
    }

    private static async Task<AuditVerificationResult> VerifyAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync();
    }

    private static Task ExecuteAsync(PortalFactory portal, string sql) => portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql));

    private static async Task DropTriggersAsync(PortalFactory portal)
    {
        if (portal.Database == TestDatabase.Sqlite)
        {
            var triggers = await portal.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger'").ToListAsync());
            foreach (var trigger in triggers)
            {
                await ExecuteAsync(portal, $"DROP TRIGGER \"{trigger}\"");
            }
        }
        else
        {
            await ExecuteAsync(portal, """
                ALTER TABLE "AuditEvents" DISABLE TRIGGER USER;
                ALTER TABLE "AuditCheckpoints" DISABLE TRIGGER USER;
                ALTER TABLE "AuditHeads" DISABLE TRIGGER USER;
                """);
        }
    }

    // The attacker's rewrite: a new actor on one event, every later hash recomputed, and the head row made to match.
    private static async Task RewriteAsync(PortalFactory portal, long sequence)
    {
        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= sequence).OrderBy(e => e.Sequence).ToListAsync());
        var previous = events[0].PreviousHash;
        await portal.WithDbAsync(async db =>
        {
            foreach (var stored in events)
            {
                var record = stored.ToRecord();
                if (stored.Sequence == sequence)
                {
                    record = record with { Actor = record.Actor with { Username = "someone-else@demo.test" } };
                }
                var hash = record.ComputeHash(previous);
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE "AuditEvents" SET "ActorUsername" = {record.Actor.Username}, "PreviousHash" = {previous}, "Hash" = {hash}
                    WHERE "Sequence" = {stored.Sequence}
                    """);
                previous = hash;
            }
            await db.Database.ExecuteSqlAsync($"""UPDATE "AuditHeads" SET "Hash" = {previous} WHERE "Id" = 1""");
        });
    }

    private static async Task RefusedAsync(PortalFactory portal, string sql)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
        Assert.Matches("append-only|only moves forward", error.Message);
    }

    [Fact]
    public async Task Deleting_every_checkpoint_and_rewriting_history_fails_naming_the_missing_checkpoint()
    {
        await using var portal = await StartAsync(database);
        await DropTriggersAsync(portal);

        await ExecuteAsync(portal, "DELETE FROM \"AuditCheckpoints\"");
        var deletedOnly = await VerifyAsync(portal);
        await RewriteAsync(portal, 150);
        var rewritten = await VerifyAsync(portal);
        var signedOver = await CheckpointAsync(portal);

        foreach (var result in new[] { deletedOnly, rewritten })
        {
            Assert.Equal((false, AuditFault.MissingCheckpoint, 100L), (result.Valid, result.Fault, result.FirstInvalidSequence));
            Assert.StartsWith("checkpoint at event 100: missing; one is required every 100 events", result.Reason);
        }
        Assert.NotNull(signedOver.RefusedBecause);
    }

    [Fact]
    public async Task A_rewrite_inside_a_checkpointed_range_is_named_at_the_changed_event()
    {
        await using var portal = await StartAsync(database);
        await DropTriggersAsync(portal);

        await RewriteAsync(portal, 190);
        var result = await VerifyAsync(portal);

        Assert.Equal((false, AuditFault.Rewritten, 190L), (result.Valid, result.Fault, result.FirstInvalidSequence));
        Assert.Equal("event 190: rewritten (its hash differs from the one checkpoint 200 recorded; the chain after it was recomputed)", result.Reason);
    }

    [Fact]
    public async Task Events_checkpoints_and_the_head_cannot_be_replaced_or_rewound_while_the_triggers_stand()
    {
        await using var portal = await StartAsync(database);
        var sqlite = portal.Database == TestDatabase.Sqlite;
        var columns = "\"Sequence\", \"Timestamp\", \"ActorOid\", \"ActorUsername\", \"ActorRoles\", \"ActorApiKey\", \"Action\", \"EntityType\", \"EntityId\", \"Payload\", \"CorrelationId\", \"ClientAddress\", \"PreviousHash\", \"Hash\"";
        var replaceEvent = sqlite
            ? $"INSERT OR REPLACE INTO \"AuditEvents\" ({columns}) SELECT {columns.Replace("\"Action\"", "'forged'")} FROM \"AuditEvents\" WHERE \"Sequence\" = 50"
            : $"INSERT INTO \"AuditEvents\" ({columns}) SELECT {columns.Replace("\"Action\"", "'forged'")} FROM \"AuditEvents\" WHERE \"Sequence\" = 50 ON CONFLICT (\"Sequence\") DO UPDATE SET \"Action\" = EXCLUDED.\"Action\"";
        var checkpointColumns = "\"TreeSize\", \"RootHash\", \"HeadHash\", \"Timestamp\", \"Signature\", \"KeyId\", \"EventHashes\"";
        var replaceCheckpoint = sqlite
            ? $"INSERT OR REPLACE INTO \"AuditCheckpoints\" ({checkpointColumns}) SELECT {checkpointColumns.Replace("\"KeyId\"", "'forged'")} FROM \"AuditCheckpoints\" WHERE \"TreeSize\" = 200"
            : $"INSERT INTO \"AuditCheckpoints\" ({checkpointColumns}) SELECT {checkpointColumns.Replace("\"KeyId\"", "'forged'")} FROM \"AuditCheckpoints\" WHERE \"TreeSize\" = 200 ON CONFLICT (\"TreeSize\") DO UPDATE SET \"KeyId\" = EXCLUDED.\"KeyId\"";
        var headColumns = sqlite ? "\"Id\", \"Sequence\", \"Hash\"" : "\"Id\", \"Sequence\", \"Hash\", \"PreviousHash\"";
        var attacks = new[]
        {
            replaceEvent,
            replaceCheckpoint,
            // A checkpoint below the newest: the log's signed history only grows.
            $"INSERT INTO \"AuditCheckpoints\" ({checkpointColumns}) SELECT 150, \"RootHash\", \"HeadHash\", \"Timestamp\", \"Signature\", \"KeyId\", NULL FROM \"AuditCheckpoints\" WHERE \"TreeSize\" = 200",
            "UPDATE \"AuditHeads\" SET \"Sequence\" = \"Sequence\" - 1",
            "UPDATE \"AuditHeads\" SET \"Hash\" = '" + new string('f', 64) + "'",
            "DELETE FROM \"AuditHeads\"",
            sqlite
                ? $"INSERT OR REPLACE INTO \"AuditHeads\" ({headColumns}) SELECT \"Id\", 200, \"Hash\" FROM \"AuditHeads\""
                : $"INSERT INTO \"AuditHeads\" ({headColumns}) SELECT \"Id\", 200, \"Hash\", \"PreviousHash\" FROM \"AuditHeads\" ON CONFLICT (\"Id\") DO UPDATE SET \"Sequence\" = EXCLUDED.\"Sequence\"",
        };
        if (!sqlite)
        {
            attacks = [.. attacks, "TRUNCATE \"AuditHeads\""];
        }

        foreach (var attack in attacks)
        {
            await RefusedAsync(portal, attack);
        }

        var result = await VerifyAsync(portal);
        Assert.True(result.Valid, result.Reason);
        Assert.Equal(Events + 1, result.HeadSequence);
    }

    [Fact]
    public async Task With_a_witness_deleting_every_checkpoint_and_rewriting_history_is_named_as_a_witness_mismatch()
    {
        var witness = Path.Combine(Path.GetTempPath(), "governance-tests", $"witness-{Guid.NewGuid():N}");
        try
        {
            await using var portal = await StartAsync(database, witness);
            Assert.Equal(3, Directory.GetFiles(witness).Length);
            var page = await (await PortalClient.SignedInAsync(portal, "auditor@demo.test")).GetDocumentAsync("/audit/verify");
            Assert.Matches($"^Unwitnessed window: events {Events + 1}–[0-9]+ \\([0-9]+ events, since ",
                page.QuerySelector("[data-testid=unwitnessed-window]")!.TextContent.Trim());
            await DropTriggersAsync(portal);

            await ExecuteAsync(portal, "DELETE FROM \"AuditCheckpoints\"");
            await RewriteAsync(portal, 150);
            var result = await VerifyAsync(portal);

            Assert.Equal((false, AuditFault.WitnessMismatch, 150L), (result.Valid, result.Fault, result.FirstInvalidSequence));
            Assert.StartsWith("event 150: rewritten (its hash differs from the one witnessed checkpoint 200 recorded in ", result.Reason);
            Assert.Contains("that checkpoint is missing from the database", result.Reason);
        }
        finally
        {
            Directory.Delete(witness, recursive: true);
        }
    }

    [Fact]
    public async Task With_a_witness_truncating_the_newest_events_with_their_checkpoints_is_named_as_a_witness_mismatch()
    {
        var witness = Path.Combine(Path.GetTempPath(), "governance-tests", $"witness-{Guid.NewGuid():N}");
        try
        {
            await using var portal = await StartAsync(database, witness);
            await DropTriggersAsync(portal);

            var kept = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == 200));
            await ExecuteAsync(portal, $"""
                DELETE FROM "AuditEvents" WHERE "Sequence" > 200;
                DELETE FROM "AuditCheckpoints" WHERE "TreeSize" > 200;
                UPDATE "AuditHeads" SET "Sequence" = 200, "Hash" = '{kept.Hash}';
                """);
            var result = await VerifyAsync(portal);

            Assert.Equal((false, AuditFault.WitnessMismatch, 201L), (result.Valid, result.Fault, result.FirstInvalidSequence));
            Assert.StartsWith($"event 201: missing; the witness holds a checkpoint of {Events} events", result.Reason);
            Assert.EndsWith("but the database's log ends at 200", result.Reason);
        }
        finally
        {
            Directory.Delete(witness, recursive: true);
        }
    }
}

public sealed class AuditRewriteTestsOnSqlite() : AuditRewriteTests(TestDatabase.Sqlite);

public sealed class AuditRewriteTestsOnPostgreSql() : AuditRewriteTests(TestDatabase.PostgreSql);
