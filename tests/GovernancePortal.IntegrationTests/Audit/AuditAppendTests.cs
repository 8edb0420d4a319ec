using System.Data.Common;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

public abstract class AuditAppendTests(PortalFactory portal)
{
    // Appenders remember the head they last committed. An append inside a caller's transaction takes the row lock and
    // leaves that memory stale, as an append by another portal instance would.
    private Task AppendInACallersTransactionAsync(string action, string entityId) => portal.WithDbAsync(async db =>
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Audit.Record(action, "Writer", entityId);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    });

    protected Task<AuditVerificationResult> VerifyAsync() => portal.WithDbAsync(db =>
        new AuditVerificationService(db, portal.Services.GetRequiredService<CheckpointKey>(), portal.Services.GetRequiredService<AuditWitness>(), portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuditOptions>>(), TimeProvider.System).VerifyAsync());

    [Fact]
    public async Task Sign_in_is_audited_with_the_persona_as_actor()
    {
        await PortalClient.SignedInAsync(portal, "compliance2@demo.test");

        var signIn = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "user.signed-in" && e.ActorUsername == "compliance2@demo.test")
            .OrderByDescending(e => e.Sequence).FirstAsync());

        Assert.Equal(DemoPersonas.Find("compliance2@demo.test")!.ObjectId.ToString(), signIn.ActorOid);
        Assert.Equal(Roles.ComplianceOfficer, signIn.ActorRoles);
        Assert.Equal(nameof(UserAccount), signIn.EntityType);
        Assert.NotNull(signIn.CorrelationId);
    }

    [Fact]
    public async Task A_refused_authorization_is_audited()
    {
        var client = await PortalClient.SignedInAsync(portal, "auditor@demo.test");

        await client.Http.GetAsync("/admin/api-keys");
        await portal.RecordRefusalsAsync();

        var refused = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "authorization.refused" && e.ActorUsername == "auditor@demo.test").ToListAsync());
        Assert.Contains(refused, e => e.EntityId == "/admin/api-keys");
    }

    [Fact]
    public async Task A_change_without_an_audit_event_is_refused_and_nothing_is_saved()
    {
        await portal.WithDbAsync(async db =>
        {
            var user = await db.Users.FirstAsync();
            user.DisplayName = "Changed without audit";

            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        });

        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.DisplayName == "Changed without audit")));
    }

    [Fact]
    public async Task When_the_audit_write_fails_the_change_is_rolled_back()
    {
        var before = await portal.WithDbAsync(db => db.AuditEvents.CountAsync());
        await portal.WithDbAsync(async db =>
        {
            var user = await db.Users.FirstAsync(u => u.Username == "viewer@demo.test");
            user.Team = "Rolled back";
            // An action longer than its column cannot be stored on PostgreSQL; on SQLite a duplicate key fails instead.
            db.Audit.Record(new string('x', 300), user);
            if (db.Database.IsSqlite())
            {
                db.AuditEvents.Add(new AuditEvent
                {
                    Sequence = 1, ActorOid = "x", ActorUsername = "x", ActorRoles = "", Action = "x", EntityType = "x", EntityId = "x",
                    Payload = "{}", PreviousHash = AuditRecord.GenesisHash, Hash = AuditRecord.GenesisHash,
                });
            }

            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
        });

        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Team == "Rolled back")));
        Assert.Equal(before, await portal.WithDbAsync(db => db.AuditEvents.CountAsync()));
    }

    [Fact]
    public async Task An_append_this_process_did_not_make_is_caught_and_the_next_append_redone_under_the_lock()
    {
        await portal.WithDbAsync(async db =>
        {
            db.Audit.Record("test.stale-head", "Writer", "first");
            await db.SaveChangesAsync();
        });
        await AppendInACallersTransactionAsync("test.stale-head", "elsewhere");
        await portal.WithDbAsync(async db =>
        {
            db.Audit.Record("test.stale-head", "Writer", "after");
            await db.SaveChangesAsync();
        });

        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(["first", "elsewhere", "after"], events.Where(e => e.Action == "test.stale-head").Select(e => e.EntityId));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var result = await VerifyAsync();
        Assert.True(result.Valid, result.Reason);
        Assert.Equal(events[^1].Sequence, result.HeadSequence);
    }

    [Fact]
    public async Task A_change_whose_append_is_redone_after_a_stale_head_is_saved_once_with_one_event()
    {
        // The first attempt saves the change, then finds the head moved and rolls back; the redo must save it again.
        var user = new UserAccount
        {
            ObjectId = Guid.NewGuid(), TenantId = DemoPersonas.TenantId, Username = $"redo-{Guid.NewGuid():N}@demo.test", DisplayName = "Before",
        };
        await portal.WithDbAsync(async db =>
        {
            db.Users.Add(user);
            db.Audit.Record("test.redo-created", user);
            await db.SaveChangesAsync();
        });
        await AppendInACallersTransactionAsync("test.redo-elsewhere", "elsewhere");

        await portal.WithDbAsync(async db =>
        {
            var tracked = await db.Users.SingleAsync(u => u.Id == user.Id);
            tracked.DisplayName = "After";
            db.Audit.Record("test.redo-renamed", tracked);
            await db.SaveChangesAsync();
            Assert.Equal(EntityState.Unchanged, db.Entry(tracked).State);
        });

        Assert.Equal("After", await portal.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.DisplayName).SingleAsync()));
        var renamed = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "test.redo-renamed" && e.EntityId == user.Id.ToString()).ToListAsync());
        var only = Assert.Single(renamed);
        Assert.Contains("\"displayName\":{\"after\":\"After\",\"before\":\"Before\"}", only.Payload);
        var result = await VerifyAsync();
        Assert.True(result.Valid, result.Reason);
    }

    [Fact]
    public async Task Events_with_hostile_text_are_hashed_exactly_as_the_verifier_recomputes_them()
    {
        // On PostgreSQL the database hashes the canonical form around the chain's part (AuditRecord.CanonicalAroundChain);
        // it must match what the verifier rebuilds from the stored columns byte for byte on escapes, non-ASCII, surrogate
        // pairs, empty and absent values.
        var random = new Random(20261125);
        var start = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => (long?)e.Sequence)) ?? 0;
        for (var save = 0; save < 150; save++)
        {
            await portal.WithDbAsync(async db =>
            {
                for (var i = 0; i < 1 + save % 3; i++)
                {
                    // A role is a non-empty name without commas (they are stored comma-separated).
                    var roles = Enumerable.Range(0, random.Next(4)).Select(_ => "r" + HostileText(random, 40).Replace(",", ";")).ToArray();
                    var actor = new AuditActor(HostileText(random, 128), HostileText(random, 256), roles,
                        random.Next(3) == 0 ? null : HostileText(random, 128));
                    db.Audit.Record(HostileText(random, 128), HostileText(random, 128), $"{save}/{i}",
                        new { text = HostileText(random, 400), number = random.NextDouble() * 1e6 }, actor);
                }
                await db.SaveChangesAsync();
            });
        }

        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Sequence > start).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(0, 150).Sum(save => 1 + save % 3), events.Count);
        // Within one save, events keep the order they were recorded in.
        Assert.Equal(
            Enumerable.Range(0, 150).SelectMany(save => Enumerable.Range(0, 1 + save % 3).Select(i => $"{save}/{i}")),
            events.Select(e => e.EntityId));
        foreach (var e in events)
        {
            Assert.Equal(e.Hash, e.ToRecord().ComputeHash(e.PreviousHash));
        }
        var result = await VerifyAsync();
        Assert.True(result.Valid, result.Reason);
    }

    private static string HostileText(Random random, int maxLength)
    {
        string[] pieces = ["\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0001", "\u001f", "\u007f", "é", "ß", "€", "中文", "😀", "🧬", "\u2028", "a", "Z", "0", " ", "{}", "[]", ",", ":"];
        var b = new System.Text.StringBuilder();
        var length = random.Next(maxLength / 2);
        while (b.Length < length)
        {
            var piece = random.Next(3) == 0 ? ((char)random.Next(1, 0x250)).ToString() : pieces[random.Next(pieces.Length)];
            if (b.Length + piece.Length > maxLength)
            {
                break;
            }
            b.Append(piece);
        }
        return b.ToString();
    }

    [Fact]
    public async Task Parallel_writers_leave_a_gapless_valid_chain()
    {
        const int writers = 8;
        const int eventsPerWriter = 500;
        var start = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => (long?)e.Sequence)) ?? 0;
        var finalNames = new Dictionary<Guid, string>[writers];

        // Every append path at once: events alone, a new row with its event (on PostgreSQL the events ride in EF's
        // command), and an update of the writer's own row (on PostgreSQL the events follow in a batch of their own).
        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            var names = finalNames[writer] = [];
            Guid? latest = null;
            for (var i = 0; i < eventsPerWriter; i++)
            {
                await using var scope = portal.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
                switch (i % 3)
                {
                    case 0:
                        db.Audit.Record("test.parallel", "Writer", writer.ToString(), new { i });
                        break;
                    case 1:
                        var user = new UserAccount
                        {
                            ObjectId = Guid.NewGuid(), TenantId = DemoPersonas.TenantId, Username = $"parallel-{Guid.NewGuid():N}@demo.test",
                            DisplayName = $"created {i}",
                        };
                        db.Users.Add(user);
                        db.Audit.Record("test.parallel-created", user);
                        (latest, names[user.Id]) = (user.Id, user.DisplayName);
                        break;
                    default:
                        var renamed = await db.Users.SingleAsync(u => u.Id == latest);
                        renamed.DisplayName = $"renamed {i}";
                        db.Audit.Record("test.parallel-renamed", renamed);
                        names[renamed.Id] = renamed.DisplayName;
                        break;
                }
                await db.SaveChangesAsync();
            }
        })));

        var expected = finalNames.SelectMany(n => n).ToDictionary();
        var stored = await portal.WithDbAsync(db => db.Users.AsNoTracking().Where(u => expected.Keys.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName));
        Assert.Equal(expected.OrderBy(p => p.Key), stored.OrderBy(p => p.Key));
        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(writers * eventsPerWriter, events.Count(e => e.Sequence > start && e.Action.StartsWith("test.parallel", StringComparison.Ordinal)));
        var previous = AuditRecord.GenesisHash;
        foreach (var e in events)
        {
            Assert.Equal(previous, e.PreviousHash);
            Assert.Equal(e.Hash, e.ToRecord().ComputeHash(e.PreviousHash));
            previous = e.Hash;
        }
        var head = await portal.WithDbAsync(db => db.AuditHeads.AsNoTracking().SingleAsync());
        Assert.Equal((events[^1].Sequence, events[^1].Hash), (head.Sequence, head.Hash));
    }
}

public sealed class AuditAppendTestsOnSqlite(SqlitePortal portal) : AuditAppendTests(portal), IClassFixture<SqlitePortal>;

public sealed class AuditAppendTestsOnPostgreSql(PostgreSqlPortal portal) : AuditAppendTests(portal), IClassFixture<PostgreSqlPortal>
{
    private static UserAccount NewUser(string name) => new()
    {
        ObjectId = Guid.NewGuid(), TenantId = DemoPersonas.TenantId, Username = $"{name}-{Guid.NewGuid():N}@demo.test", DisplayName = name,
    };

    /// <summary>A portal context that also keeps the text of every command EF sends for a save, and at most this many changes per command.</summary>
    private async Task<T> WithSpiedDbAsync<T>(Func<GovernanceDbContext, List<string>, Task<T>> work, int? maxBatchSize = null)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var sent = new List<string>();
        var builder = new DbContextOptionsBuilder<PostgreSqlGovernanceDbContext>(
            scope.ServiceProvider.GetRequiredService<DbContextOptions<PostgreSqlGovernanceDbContext>>());
        builder.AddInterceptors(new SaveCommandSpy(sent));
        if (maxBatchSize is { } size)
        {
            var relational = builder.Options.Extensions.OfType<RelationalOptionsExtension>().Single();
            ((IDbContextOptionsBuilderInfrastructure)builder).AddOrUpdateExtension(relational.WithMaxBatchSize(size));
        }
        await using var db = new PostgreSqlGovernanceDbContext(builder.Options, scope.ServiceProvider.GetRequiredService<AuditRecorder>());
        return await work(db, sent);
    }

    private sealed class SaveCommandSpy(List<string> sent) : DbCommandInterceptor
    {
        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (eventData.CommandSource == CommandSource.SaveChanges)
            {
                sent.Add(command.CommandText);
            }
            return ValueTask.FromResult(result);
        }
    }

    [Fact]
    public async Task A_save_of_new_rows_sends_its_events_and_the_commit_with_the_rows()
    {
        var user = NewUser("one-trip");
        var sent = await WithSpiedDbAsync(async (db, sent) =>
        {
            db.Users.Add(user);
            db.Audit.Record("test.one-trip", user);
            await db.SaveChangesAsync();
            return sent;
        });

        var command = Assert.Single(sent);
        Assert.Contains("INSERT INTO \"AuditEvents\"", command);
        Assert.EndsWith("COMMIT;", command);
        Assert.True(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == user.Id)));
        Assert.Single(await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "test.one-trip").ToListAsync()));
        var result = await VerifyAsync();
        Assert.True(result.Valid, result.Reason);
    }

    [Fact]
    public async Task A_save_in_several_commands_sends_its_events_with_the_last_and_commits_all_or_nothing()
    {
        var first = NewUser("batch-first");
        var second = NewUser("batch-second");
        var sent = await WithSpiedDbAsync(async (db, sent) =>
        {
            db.Users.AddRange(first, second);
            db.Audit.Record("test.batches", first);
            db.Audit.Record("test.batches", second);
            await db.SaveChangesAsync();
            return sent;
        }, maxBatchSize: 1);

        Assert.Equal(2, sent.Count);
        Assert.DoesNotContain("AuditEvents", sent[0]);
        Assert.Contains("INSERT INTO \"AuditEvents\"", sent[1]);
        Assert.Equal(2, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "test.batches")));

        // The second command fails (its username is taken): the first command's row must not stay either.
        var clash = NewUser("batch-clash");
        var taken = NewUser("batch-taken");
        taken.Username = first.Username;
        await WithSpiedDbAsync(async (db, _) =>
        {
            db.Users.AddRange(clash, taken);
            db.Audit.Record("test.batches-failed", clash);
            db.Audit.Record("test.batches-failed", taken);
            return await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }, maxBatchSize: 1);

        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == clash.Id)));
        Assert.Equal(0, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "test.batches-failed")));
        var result = await VerifyAsync();
        Assert.True(result.Valid, result.Reason);
    }

    [Fact]
    public async Task A_stale_update_commits_nothing_and_records_nothing()
    {
        // EF judges an UPDATE's row count after its command returns, so the events and the COMMIT must not go with it.
        var user = NewUser("stale");
        await portal.WithDbAsync(async db =>
        {
            db.Users.Add(user);
            db.Audit.Record("test.stale-created", user);
            await db.SaveChangesAsync();
        });

        var sent = await WithSpiedDbAsync(async (db, sent) =>
        {
            var tracked = await db.Users.SingleAsync(u => u.Id == user.Id);
            // Gone underneath it (the users table has no protection of its own).
            await db.Database.ExecuteSqlAsync($"DELETE FROM \"Users\" WHERE \"Id\" = {user.Id}");
            tracked.DisplayName = "Renamed";
            db.Audit.Record("test.stale-renamed", tracked);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
            return sent;
        });

        Assert.DoesNotContain(sent, command => command.Contains("AuditEvents"));
        Assert.Equal(0, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "test.stale-renamed")));
        var result = await VerifyAsync();
        Assert.True(result.Valid, result.Reason);
    }

    [Fact]
    public async Task When_the_audit_write_of_new_rows_fails_nothing_is_saved()
    {
        var before = await portal.WithDbAsync(db => db.AuditEvents.CountAsync());
        var user = NewUser("audit-fails");

        var failure = await portal.WithDbAsync(async db =>
        {
            db.Users.Add(user);
            // An action longer than its column cannot be stored.
            db.Audit.Record(new string('x', 300), user);
            return await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
        });

        // EF reports it (the events went with its command); the database refused the whole transaction.
        Assert.Contains("value too long", failure.InnerException?.Message);
        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == user.Id)));
        Assert.Equal(before, await portal.WithDbAsync(db => db.AuditEvents.CountAsync()));
    }

    [Fact]
    public async Task Without_a_head_row_a_change_is_refused_rather_than_saved_unaudited()
    {
        var user = NewUser("no-head");
        await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""ALTER TABLE "AuditHeads" RENAME TO "AuditHeadsAway" """));
        try
        {
            await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""
                CREATE TABLE "AuditHeads" (LIKE "AuditHeadsAway" INCLUDING ALL)
                """));
            await portal.WithDbAsync(async db =>
            {
                db.Users.Add(user);
                db.Audit.Record("test.no-head", user);
                await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            });
        }
        finally
        {
            await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""
                DROP TABLE "AuditHeads";
                ALTER TABLE "AuditHeadsAway" RENAME TO "AuditHeads";
                """));
        }

        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == user.Id)));
        var result = await VerifyAsync();
        Assert.True(result.Valid, result.Reason);
    }

    [Fact]
    public async Task An_event_inserted_past_the_chain_is_caught_by_verification()
    {
        // The portal chains every event it writes; a row slipped in by hand, with a made-up hash, breaks the chain.
        var head = await portal.WithDbAsync(db => db.AuditHeads.AsNoTracking().SingleAsync());
        await portal.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO "AuditEvents" ("Sequence", "Timestamp", "ActorOid", "ActorUsername", "ActorRoles", "Action", "EntityType",
                "EntityId", "Payload", "PreviousHash", "Hash")
            VALUES ({head.Sequence + 1}, now(), 'oid', 'someone', '', 'test.slipped-in', 'Writer', 'forged', {"{}"}, {head.Hash}, repeat('f', 64))
            """));
        try
        {
            var result = await VerifyAsync();

            Assert.False(result.Valid);
            Assert.Equal(head.Sequence + 1, result.FirstInvalidSequence);
        }
        finally
        {
            await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""
                ALTER TABLE "AuditEvents" DISABLE TRIGGER "AuditEvents_refuse_change";
                DELETE FROM "AuditEvents" WHERE "Action" = 'test.slipped-in';
                ALTER TABLE "AuditEvents" ENABLE TRIGGER "AuditEvents_refuse_change";
                """));
        }
    }
}
