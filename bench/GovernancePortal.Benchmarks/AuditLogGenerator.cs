using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Audit;

namespace GovernancePortal.Benchmarks;

/// <summary>A generated, correctly chained audit log with its signed checkpoints.</summary>
internal sealed record AuditLog(List<StoredAuditEvent> Events, SignedCheckpoint Final, List<SignedCheckpoint> Interval, ECDsa Key)
{
    public string HeadHash => Events.Count == 0 ? AuditRecord.GenesisHash : Events[^1].Hash;
    public long HeadSequence => Events.Count;
}

/// <summary>
/// Builds a realistic audit log in memory: a few hundred people (some through API keys) and the system doing the
/// things the portal records, with payloads of canonical JSON in the 200–400 byte range the recorder produces.
/// Deterministic for a given seed.
/// </summary>
internal static class AuditLogGenerator
{
    private static readonly string[] RoleNames = ["Administrator", "Auditor", "ComplianceOfficer", "ModelOwner", "Validator", "Viewer"];
    private static readonly string[] Stages = ["Development", "Validation", "Approved", "Production", "Retired"];
    private static readonly string[] ChangeKinds = ["Retrain", "FeatureChange", "Recalibration", "Hotfix"];
    private static readonly string[] Paths = ["/admin/api-keys", "/admin/users", "/audit/export", "/models/credit-default-pd/edit", "/audit/checkpoints"];
    private static readonly string[] Words =
    [
        "gradient", "boosted", "retail", "mortgage", "default", "probability", "calibrated", "quarterly", "champion", "challenger",
        "features", "drift", "monitoring", "segment", "fairness", "review", "approved", "threshold", "lift", "régional", "coût",
    ];

    public static AuditLog Generate(int count, int checkpointInterval, int seed = 20261125)
    {
        var events = new List<StoredAuditEvent>(count);
        events.AddRange(Stream(count, seed));
        var time = events.Count == 0 ? DateTimeOffset.UnixEpoch : events[^1].Record.Timestamp;

        // The recorder writes canonical JSON; so must we, or the benchmark would hash unrealistic bytes.
        foreach (var e in events.Take(5000))
        {
            if (CanonicalJson.Canonicalize(e.Record.Payload) != e.Record.Payload)
            {
                throw new InvalidOperationException($"Generated payload is not canonical: {e.Record.Payload}");
            }
        }

        var key = CheckpointSigner.CreateKey();
        var signedAt = time.AddMinutes(1);
        var tree = new CompactMerkleTree();
        var interval = new List<SignedCheckpoint>();
        SignedCheckpoint? final = null;
        for (var i = 0; i < events.Count; i++)
        {
            tree.Append(MerkleTree.EventLeafHash(events[i].Hash));
            var size = i + 1;
            if (size % checkpointInterval == 0 || size == events.Count)
            {
                var checkpoint = CheckpointSigner.Sign(key, size, Convert.ToHexStringLower(tree.Root()), events[i].Hash, signedAt);
                interval.Add(checkpoint);
                if (size == events.Count)
                {
                    final = checkpoint;
                }
            }
        }
        return new AuditLog(events, final ?? throw new InvalidOperationException("No events."), interval, key);
    }

    /// <summary>The same log, one event at a time, chained as it goes: logs larger than memory (the 10-million-event run).</summary>
    public static IEnumerable<StoredAuditEvent> Stream(long count, int seed = 20261125)
    {
        var random = new Random(seed);
        var actors = Actors(random);
        var models = Enumerable.Range(0, 400).Select(i => (Key: $"model-{i:D3}-{Words[i % Words.Length]}", Id: NewGuid(random))).ToArray();
        var previous = AuditRecord.GenesisHash;
        var time = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var sequence = 1L; sequence <= count; sequence++)
        {
            time = time.AddTicks(random.NextInt64(10_000, 300_000_000));
            var record = Record(random, sequence, AuditRecord.Normalize(time), actors, models);
            var hash = record.ComputeHash(previous);
            yield return new StoredAuditEvent(record, previous, hash);
            previous = hash;
        }
    }

    private static AuditRecord Record(Random r, long sequence, DateTimeOffset ts, AuditActor[] actors, (string Key, string Id)[] models)
    {
        var roll = r.Next(100);
        var actor = roll < 3 ? AuditActor.System : actors[r.Next(actors.Length)];
        var correlation = actor == AuditActor.System ? null : $"0HN{r.Next(0x10000000):X7}{r.Next(100):D2}:{r.Next(1, 40):X8}";
        var client = actor == AuditActor.System ? null : r.Next(4) == 0 ? $"2001:db8::{r.Next(0x10000):x}" : $"192.0.2.{r.Next(1, 255)}";
        var model = models[r.Next(models.Length)];
        var version = $"{r.Next(1, 5)}.{r.Next(0, 12)}.{r.Next(1, 300)}";
        string action, entityType, entityId, payload;
        var b = new StringBuilder(400);
        if (roll < 3)
        {
            action = "audit.verified";
            entityType = "AuditLog";
            entityId = "audit";
            b.Append("{\"details\":{\"eventCount\":").Append(sequence - 1).Append(",\"fault\":null,\"firstInvalidSequence\":null,\"headSequence\":")
                .Append(sequence - 1).Append(",\"reason\":");
            CanonicalJson.WriteString(b, $"{sequence - 1} events verified; hash chain intact; latest signed checkpoint covers {(sequence - 1) / 1000 * 1000} events");
            b.Append(",\"valid\":true}}");
        }
        else if (roll < 25)
        {
            action = "user.signed-in";
            entityType = "UserAccount";
            entityId = actor.Oid;
            b.Append("{\"changes\":{\"lastSignInAt\":{\"after\":");
            CanonicalJson.WriteString(b, Iso(ts));
            b.Append(",\"before\":");
            CanonicalJson.WriteString(b, Iso(ts.AddHours(-r.Next(1, 200))));
            b.Append("}},\"details\":{\"method\":\"entra\",\"tenant\":\"3f0c9a52-6a8e-4c1e-9d7b-2f1e5a7c0b44\",\"userAgent\":");
            CanonicalJson.WriteString(b, r.Next(2) == 0
                ? "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36"
                : "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15");
            b.Append("}}");
        }
        else if (roll < 45)
        {
            action = "model.updated";
            entityType = "Model";
            entityId = model.Id;
            b.Append("{\"changes\":{\"description\":{\"after\":");
            CanonicalJson.WriteString(b, Sentence(r, 8, 16));
            b.Append(",\"before\":");
            CanonicalJson.WriteString(b, Sentence(r, 8, 16));
            b.Append("},\"tags\":{\"after\":");
            CanonicalJson.WriteString(b, $"{Words[r.Next(Words.Length)]},{Words[r.Next(Words.Length)]},retail");
            b.Append(",\"before\":\"retail\"}}}");
        }
        else if (roll < 62)
        {
            action = "version.registered";
            entityType = "ModelVersion";
            entityId = NewGuid(r);
            b.Append("{\"changes\":{\"artifactSha256\":{\"after\":\"").Append(Hex(r, 32)).Append("\"},\"artifactUri\":{\"after\":");
            CanonicalJson.WriteString(b, $"s3://ml-artifacts/{model.Key}/{version}/model.onnx");
            b.Append("},\"changeKind\":{\"after\":\"").Append(ChangeKinds[r.Next(ChangeKinds.Length)]).Append("\"},\"stage\":{\"after\":\"Development\"}},");
            b.Append("\"details\":{\"model\":");
            CanonicalJson.WriteString(b, model.Key);
            b.Append(",\"version\":\"").Append(version).Append("\"}}");
        }
        else if (roll < 77)
        {
            action = "version.stage-changed";
            entityType = "ModelVersion";
            entityId = NewGuid(r);
            var stage = r.Next(1, Stages.Length);
            var stamp = r.Next(1, 9);
            b.Append("{\"changes\":{\"concurrencyStamp\":{\"after\":").Append(stamp + 1).Append(",\"before\":").Append(stamp)
                .Append("},\"stage\":{\"after\":\"").Append(Stages[stage]).Append("\",\"before\":\"").Append(Stages[stage - 1])
                .Append("\"},\"stageChangedAt\":{\"after\":");
            CanonicalJson.WriteString(b, Iso(ts));
            b.Append(",\"before\":");
            CanonicalJson.WriteString(b, Iso(ts.AddDays(-r.Next(1, 90))));
            b.Append("}},\"details\":{\"model\":");
            CanonicalJson.WriteString(b, model.Key);
            b.Append(",\"reason\":");
            CanonicalJson.WriteString(b, Sentence(r, 4, 10));
            b.Append(",\"version\":\"").Append(version).Append("\"}}");
        }
        else if (roll < 90)
        {
            action = "authorization.refused";
            entityType = "Endpoint";
            entityId = Paths[r.Next(Paths.Length)];
            b.Append("{\"details\":{\"method\":\"").Append(r.Next(3) == 0 ? "POST" : "GET").Append("\",\"path\":");
            CanonicalJson.WriteString(b, entityId);
            b.Append(",\"policy\":\"").Append(RoleNames[r.Next(RoleNames.Length)]).Append("\",\"query\":");
            CanonicalJson.WriteString(b, $"?page={r.Next(1, 20)}&sort=updated&q={Words[r.Next(Words.Length)]}");
            b.Append(",\"reason\":\"The signed-in user does not hold a role that the endpoint's policy requires.\",\"roles\":[");
            for (var i = 0; i < actor.Roles.Count; i++)
            {
                if (i > 0)
                {
                    b.Append(',');
                }
                CanonicalJson.WriteString(b, actor.Roles[i]);
            }
            b.Append("]}}");
        }
        else if (roll < 95)
        {
            action = "audit.exported";
            entityType = "AuditLog";
            entityId = "audit";
            b.Append("{\"details\":{\"count\":").Append(r.Next(1, 50_000)).Append(",\"filters\":{\"action\":");
            CanonicalJson.WriteString(b, r.Next(2) == 0 ? "model.updated" : "version.stage-changed");
            b.Append(",\"actor\":");
            CanonicalJson.WriteString(b, actors[r.Next(actors.Length)].Username);
            b.Append(",\"entityType\":\"ModelVersion\",\"from\":");
            CanonicalJson.WriteString(b, Iso(ts.AddDays(-30)));
            b.Append(",\"to\":");
            CanonicalJson.WriteString(b, Iso(ts));
            b.Append("},\"format\":\"").Append(r.Next(2) == 0 ? "csv" : "jsonl").Append("\"}}");
        }
        else
        {
            action = "apikey.created";
            entityType = "ApiKey";
            entityId = NewGuid(r);
            b.Append("{\"changes\":{\"createdAt\":{\"after\":");
            CanonicalJson.WriteString(b, Iso(ts));
            b.Append("},\"expiresAt\":{\"after\":");
            CanonicalJson.WriteString(b, Iso(ts.AddDays(90)));
            b.Append("},\"hash\":{\"after\":\"[redacted]\"},\"label\":{\"after\":\"nightly-build\"},\"prefix\":{\"after\":\"gp_")
                .Append(Hex(r, 4)).Append("\"},\"userId\":{\"after\":\"").Append(NewGuid(r)).Append("\"}},\"details\":{\"label\":\"nightly-build\",\"user\":");
            CanonicalJson.WriteString(b, actor.Username);
            b.Append("}}");
        }
        payload = b.ToString();
        return new AuditRecord(sequence, ts, actor, action, entityType, entityId, payload, correlation, client);
    }

    private static AuditActor[] Actors(Random r)
    {
        string[] first = ["ana", "ben", "chloé", "dmitri", "eva", "farid", "grace", "hiro", "ines", "jonas", "kemal", "lena"];
        string[] last = ["martin", "okafor", "schmidt", "nakamura", "rossi", "dubois", "kowalski", "haddad", "larsen", "silva"];
        var actors = new AuditActor[320];
        for (var i = 0; i < actors.Length; i++)
        {
            var username = $"{first[r.Next(first.Length)]}.{last[r.Next(last.Length)]}{i}@corp.example";
            var roles = RoleNames.Where(_ => r.Next(4) == 0).DefaultIfEmpty("Viewer").Order(StringComparer.Ordinal).ToArray();
            // One in eight acts through an API key (pipelines registering versions).
            actors[i] = new AuditActor(NewGuid(r), username, roles, i % 8 == 0 ? $"pipeline-{i:D3}" : null);
        }
        return actors;
    }

    private static string Sentence(Random r, int minWords, int maxWords)
    {
        var n = r.Next(minWords, maxWords + 1);
        var words = new string[n];
        for (var i = 0; i < n; i++)
        {
            words[i] = Words[r.Next(Words.Length)];
        }
        return char.ToUpperInvariant(words[0][0]) + string.Join(' ', words)[1..] + ".";
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Hex(Random r, int bytes)
    {
        var buffer = new byte[bytes];
        r.NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }

    private static string NewGuid(Random r)
    {
        var buffer = new byte[16];
        r.NextBytes(buffer);
        return new Guid(buffer).ToString();
    }
}
