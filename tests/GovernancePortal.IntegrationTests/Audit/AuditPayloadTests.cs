using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace GovernancePortal.Audit;

/// <summary>
/// The payload writer gives, byte for byte, what building a JSON tree of the tracked values and canonicalizing it gives
/// (the recorder's way until 2026-11-26; kept here as the reference), for every entity state and many kinds of details.
/// </summary>
public sealed class AuditPayloadTests(SqlitePortal portal) : IClassFixture<SqlitePortal>
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private static string Reference(EntityEntry? entry, object? details)
    {
        var payload = new JsonObject();
        if (entry is not null && ReferenceChanges(entry) is { } changes)
        {
            payload["changes"] = changes;
        }
        if (details is not null)
        {
            payload["details"] = JsonSerializer.SerializeToNode(details, PayloadJson);
        }
        return CanonicalJson.Canonicalize(JsonSerializer.SerializeToElement(payload));
    }

    private static JsonObject? ReferenceChanges(EntityEntry entry)
    {
        var changes = new JsonObject();
        foreach (var property in entry.Properties)
        {
            var redacted = property.Metadata.PropertyInfo?.GetCustomAttribute<AuditRedactedAttribute>() is not null;
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Metadata.Name);
            switch (entry.State)
            {
                case EntityState.Added:
                    changes[name] = new JsonObject { ["after"] = ReferenceValue(property.CurrentValue, redacted) };
                    break;
                case EntityState.Deleted:
                    changes[name] = new JsonObject { ["before"] = ReferenceValue(property.OriginalValue, redacted) };
                    break;
                case EntityState.Modified when property.IsModified && !Equals(property.OriginalValue, property.CurrentValue):
                    changes[name] = new JsonObject
                    {
                        ["before"] = ReferenceValue(property.OriginalValue, redacted),
                        ["after"] = ReferenceValue(property.CurrentValue, redacted),
                    };
                    break;
            }
        }
        return changes.Count == 0 ? null : changes;
    }

    private static JsonNode? ReferenceValue(object? value, bool redacted) => redacted
        ? JsonValue.Create("[redacted]")
        : value switch
        {
            null => null,
            Enum e => JsonValue.Create(e.ToString()),
            DateTimeOffset d => JsonValue.Create(d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            _ => JsonSerializer.SerializeToNode(value, PayloadJson),
        };

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 40)];

    private static object Details(Random random) => new
    {
        text = "quote \" backslash \\ tab \t nul \u0000 é 😀 " + random.Next(),
        count = random.Next(int.MinValue, int.MaxValue),
        big = (long)random.NextInt64(),
        ratio = random.NextDouble() * Math.Pow(10, random.Next(-30, 30)),
        tiny = 5e-7,
        whole = 1e21,
        price = (decimal)random.Next(0, 100000) / 100m,
        single = (float)random.NextDouble(),
        when = DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, 600_000_000_000_000_000)),
        id = Guid.NewGuid(),
        tier = (RiskTier)random.Next(0, 3),
        flag = random.Next(2) == 0,
        none = (string?)null,
        list = Enumerable.Range(0, random.Next(0, 5)).Select(i => new { i, name = $"n{i}" }).ToArray(),
        map = new Dictionary<string, int> { ["zeta"] = 1, ["Alpha"] = 2, ["alpha"] = 3, ["é"] = 4 },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Added_modified_and_deleted_entities_with_details_match_the_reference(int seed)
    {
        var random = new Random(seed);
        await portal.WithDbAsync(async db =>
        {
            var model = new Model
            {
                Key = $"payload-{seed}", Name = "Name \"quoted\"", Owner = "owner@demo.test", Team = "fraud", CreatedBy = "owner@demo.test",
                CreatedAt = DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, 600_000_000_000_000_000)),
                RiskTier = (RiskTier)random.Next(0, 3), DataCategories = (DataCategories)random.Next(0, 8), Tags = "a,b",
            };
            var metric = new VersionMetric
            {
                VersionId = Guid.NewGuid(), Name = "auc", Value = random.NextDouble(), Dataset = "holdout", Slice = "overall",
                Threshold = random.Next(2) == 0 ? null : random.NextDouble(),
            };
            var key = new ApiKey { UserId = Guid.NewGuid(), Label = "pipeline", Prefix = $"gp_{seed}", SecretHash = new string('a', 64), CreatedBy = "admin@demo.test" };
            var details = random.Next(3) == 0 ? null : Details(random);

            db.Add(model);
            db.Add(metric);
            db.Add(key);
            foreach (var entry in new EntityEntry[] { db.Entry(model), db.Entry(metric), db.Entry(key) })
            {
                Assert.Equal(Reference(entry, details), AuditPayload.For(entry, details));
            }

            var user = await db.Users.AsNoTracking().FirstAsync();
            db.Attach(user);
            user.DisplayName = user.DisplayName + " (renamed)";
            user.Team = user.Team;
            var modified = db.Entry(user);
            modified.Property(u => u.Team).IsModified = true;
            Assert.Equal(Reference(modified, details), AuditPayload.For(modified, details));

            modified.State = EntityState.Deleted;
            Assert.Equal(Reference(modified, details), AuditPayload.For(modified, details));

            modified.State = EntityState.Unchanged;
            Assert.Equal(Reference(modified, details), AuditPayload.For(modified, details));
            Assert.Equal(Reference(null, details), AuditPayload.For(null, details));
            db.ChangeTracker.Clear();
        });
    }

    [Fact]
    public async Task A_redacted_value_never_enters_the_payload()
    {
        await portal.WithDbAsync(async db =>
        {
            var key = new ApiKey { UserId = Guid.NewGuid(), Label = "pipeline", Prefix = "gp_redacted", SecretHash = new string('f', 64), CreatedBy = "admin@demo.test" };
            db.Add(key);
            var payload = AuditPayload.For(db.Entry(key), null);
            Assert.Contains("\"secretHash\":{\"after\":\"[redacted]\"}", payload);
            Assert.DoesNotContain(new string('f', 64), payload);
            db.ChangeTracker.Clear();
            await Task.CompletedTask;
        });
    }
}
