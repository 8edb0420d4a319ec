using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

/// <summary>
/// The hash is computed from UTF-8 written directly; these pin it byte for byte to the RFC 8785 string form
/// (<see cref="AuditRecord.Canonical"/>), so every chain written before still verifies.
/// </summary>
public class AuditRecordHashTests
{
    [Fact]
    public void A_fixed_record_has_a_pinned_canonical_form_and_hash()
    {
        var record = new AuditRecord(42, new DateTimeOffset(2025, 3, 1, 9, 30, 15, TimeSpan.FromHours(2)).AddTicks(1234567),
            new AuditActor("oid-1", "ana@example.org", ["Approver", "Viewer"], "ci \"key\""),
            "model.approved", "Model", "credit/7", """{"after":"é€😀","n":1.5}""", "corr-9", "10.0.0.7");
        var previous = new string('a', 64);

        const string expected = """{"action":"model.approved","actor":{"apiKey":"ci \"key\"","oid":"oid-1","roles":["Approver","Viewer"],"username":"ana@example.org"},"client":"10.0.0.7","correlationId":"corr-9","entityId":"credit/7","entityType":"Model","payload":{"after":"é€😀","n":1.5},"prev":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","seq":42,"ts":"2025-03-01T07:30:15.123456Z","v":1}""";
        Assert.Equal(expected, record.Canonical(previous));
        Assert.Equal(Encoding.UTF8.GetBytes(expected), record.CanonicalUtf8(previous));
        // sha256 of the line above, computed outside .NET.
        Assert.Equal("df6e10b652d26927efc75737e3f8d379b6dbe4f4b58f82fefd47c005b8520b98", record.ComputeHash(previous));
    }

    [Fact]
    public void The_test_chain_hashes_the_same_bytes_as_the_string_form()
    {
        var previous = AuditRecord.GenesisHash;
        foreach (var stored in AuditTestData.Chain(2000))
        {
            AssertSameAsStringForm(stored.Record, previous);
            previous = stored.Hash;
        }
    }

    [Fact]
    public void Random_records_with_escapes_surrogates_and_long_fields_hash_the_same_bytes_as_the_string_form()
    {
        var random = new Random(8785);
        for (var i = 0; i < 5000; i++)
        {
            var roles = Enumerable.Range(0, random.Next(4)).Select(_ => RandomText(random, 12)).ToArray();
            var record = new AuditRecord(
                random.Next(4) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : random.Next(1, 5_000_000),
                new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay),
                    TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1))),
                new AuditActor(RandomText(random, 40), RandomText(random, 40), roles, random.Next(3) == 0 ? RandomText(random, 20) : null),
                RandomText(random, 30), RandomText(random, 20), RandomText(random, random.Next(10) == 0 ? 3000 : 30),
                // The payload is inserted verbatim; any text exercises the encoding.
                RandomText(random, random.Next(10) == 0 ? 5000 : 400),
                random.Next(3) == 0 ? null : RandomText(random, 30),
                random.Next(3) == 0 ? null : RandomText(random, 20));
            AssertSameAsStringForm(record, random.Next(5) == 0 ? RandomText(random, 64) : Convert.ToHexStringLower(RandomBytes(random)));
        }
    }

    [Fact]
    public void The_canonical_form_around_the_chain_joined_as_the_database_joins_it_is_the_canonical_form()
    {
        // PostgreSQL hashes BeforePrevious || hash || '","seq":' || sequence || AfterSequence (PostgreSqlAppend).
        var random = new Random(20261126);
        for (var i = 0; i < 2000; i++)
        {
            var record = new AuditRecord(random.Next(1, 5_000_000), AuditTestData.Start.AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay * 400)),
                new AuditActor(RandomText(random, 40), RandomText(random, 40), [RandomText(random, 12)], random.Next(3) == 0 ? RandomText(random, 20) : null),
                RandomText(random, 30), RandomText(random, 20), RandomText(random, 30),
                // A payload may itself hold text that looks like the chain's members.
                random.Next(4) == 0 ? "{\"prev\":\"\",\"seq\":0,\"ts\":\"x\"}" : RandomText(random, 400),
                random.Next(3) == 0 ? null : RandomText(random, 30), random.Next(3) == 0 ? null : RandomText(random, 20));
            var previous = Convert.ToHexStringLower(RandomBytes(random));

            var (before, after) = record.CanonicalAroundChain();

            Assert.EndsWith(",\"prev\":\"", before);
            Assert.StartsWith(",\"ts\":", after);
            Assert.Equal(record.Canonical(previous), before + previous + "\",\"seq\":" + record.Sequence + after);
        }
    }

    [Fact]
    public void Every_escaped_character_and_lone_surrogates_encode_the_same()
    {
        var all = new string(Enumerable.Range(0, 0x80).Select(c => (char)c).ToArray()) + "\ud800x\udc00\ud83d\ude00\ud83d";
        var record = new AuditRecord(1, AuditTestData.Start, new AuditActor(all, all, [all, all], all), all, all, all, "{}", all, all);

        AssertSameAsStringForm(record, all);
    }

    private static void AssertSameAsStringForm(AuditRecord record, string previous)
    {
        var expected = Encoding.UTF8.GetBytes(record.Canonical(previous));
        Assert.Equal(expected, record.CanonicalUtf8(previous));
        // From the columns' UTF-8, as the SQLite reader builds it; roles come back from the column split on commas.
        var stored = record with { Actor = AuditEventRoles(record.Actor) };
        Assert.Equal(Encoding.UTF8.GetBytes(stored.Canonical(previous)), AuditTestData.CanonicalFromColumns(record, previous));
        var hash = new byte[AuditRecord.HashSize];
        record.ComputeHash(previous, hash);
        Assert.Equal(SHA256.HashData(expected), hash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected)), record.ComputeHash(previous));
    }

    private static AuditActor AuditEventRoles(AuditActor actor)
    {
        var joined = string.Join(',', actor.Roles);
        return actor with { Roles = joined.Length == 0 ? [] : joined.Split(',') };
    }

    private static readonly string[] Pieces =
        ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f", "\u0000", "\u0001", "\u001f", "\u007f", "é", "€",
         "\u2028", "\ud83d\ude00", "\ud800", "\udfff", "{", "}", ":", ",", "ß", "中"];

    private static string RandomText(Random random, int maxLength)
    {
        var length = random.Next(maxLength + 1);
        var b = new StringBuilder(length);
        while (b.Length < length)
        {
            b.Append(random.Next(3) == 0 ? Pieces[random.Next(Pieces.Length)] : (char)random.Next(0x20, 0x7f));
        }
        return b.ToString();
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return bytes;
    }
}
