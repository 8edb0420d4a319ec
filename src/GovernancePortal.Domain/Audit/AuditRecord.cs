using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GovernancePortal.Audit;

/// <summary>Who did something: a person signed in, or a person acting through one of their API keys.</summary>
public sealed record AuditActor(string Oid, string Username, IReadOnlyList<string> Roles, string? ApiKeyLabel = null)
{
    public static readonly AuditActor System = new("system", "system", []);
}

/// <summary>The hashed content of one audit event. Its canonical form is versioned so that the format can evolve.</summary>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset Timestamp,
    AuditActor Actor,
    string Action,
    string EntityType,
    string EntityId,
    string Payload,
    string? CorrelationId,
    string? ClientAddress)
{
    public const int FormatVersion = 1;

    public static readonly string GenesisHash = new('0', 64);

    /// <summary>SHA-256 size in bytes; <see cref="ComputeHash(string, Span{byte})"/> writes this many.</summary>
    public const int HashSize = 32;

    internal const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>Timestamps are kept to the microsecond, the precision every supported database stores.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset timestamp) =>
        new(timestamp.UtcTicks - timestamp.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>RFC 8785 canonical JSON of this record and its predecessor's hash. <see cref="Payload"/> is already canonical.</summary>
    public string Canonical(string previousHash)
    {
        var b = new StringBuilder(256 + Payload.Length);
        WriteBeforePrevious(b);
        CanonicalJson.WriteString(b, previousHash);
        b.Append(",\"seq\":").Append(Sequence.ToString(CultureInfo.InvariantCulture));
        WriteAfterSequence(b);
        return b.ToString();
    }

    /// <summary>
    /// <see cref="Canonical"/> without the part the chain decides: the text before the predecessor's hash (ending in
    /// <c>"prev":"</c>) and the text after the sequence number. A database that chains the event puts
    /// <c>hash + '","seq":' + sequence</c> between them (PostgreSQL: PostgreSqlAppend).
    /// </summary>
    public (string BeforePrevious, string AfterSequence) CanonicalAroundChain()
    {
        var b = new StringBuilder(256 + Payload.Length);
        WriteBeforePrevious(b);
        var before = b.Append('"').ToString();
        b.Clear();
        WriteAfterSequence(b);
        return (before, b.ToString());
    }

    // Members are written in the code-unit order RFC 8785 prescribes: action … payload, then prev, seq, ts, v.
    private void WriteBeforePrevious(StringBuilder b)
    {
        b.Append("{\"action\":");
        CanonicalJson.WriteString(b, Action);
        b.Append(",\"actor\":{");
        if (Actor.ApiKeyLabel is not null)
        {
            b.Append("\"apiKey\":");
            CanonicalJson.WriteString(b, Actor.ApiKeyLabel);
            b.Append(',');
        }
        b.Append("\"oid\":");
        CanonicalJson.WriteString(b, Actor.Oid);
        b.Append(",\"roles\":[");
        for (var i = 0; i < Actor.Roles.Count; i++)
        {
            if (i > 0)
            {
                b.Append(',');
            }
            CanonicalJson.WriteString(b, Actor.Roles[i]);
        }
        b.Append("],\"username\":");
        CanonicalJson.WriteString(b, Actor.Username);
        b.Append("},\"client\":");
        WriteNullable(b, ClientAddress);
        b.Append(",\"correlationId\":");
        WriteNullable(b, CorrelationId);
        b.Append(",\"entityId\":");
        CanonicalJson.WriteString(b, EntityId);
        b.Append(",\"entityType\":");
        CanonicalJson.WriteString(b, EntityType);
        b.Append(",\"payload\":").Append(Payload);
        b.Append(",\"prev\":");
    }

    private void WriteAfterSequence(StringBuilder b)
    {
        b.Append(",\"ts\":");
        CanonicalJson.WriteString(b, Normalize(Timestamp).UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture));
        b.Append(",\"v\":").Append(FormatVersion).Append('}');
    }

    /// <summary>UTF-8 bytes of <see cref="Canonical"/>, written without building the string.</summary>
    public byte[] CanonicalUtf8(string previousHash) => CanonicalUtf8Writer.ForThread.Write(this, previousHash).ToArray();

    /// <summary>
    /// The canonical UTF-8 form straight from stored columns: the bytes <see cref="CanonicalUtf8(string)"/> gives for the
    /// record those columns decode to. The span is valid until the calling thread's next canonical write.
    /// </summary>
    public static ReadOnlySpan<byte> CanonicalUtf8(scoped in AuditColumnsUtf8 columns) => CanonicalUtf8Writer.ForThread.Write(columns);

    /// <summary>SHA-256 of the canonical form, as the lowercase hex stored on the event.</summary>
    public string ComputeHash(string previousHash)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        ComputeHash(previousHash, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>SHA-256 of the canonical form into <paramref name="destination"/>; allocates nothing.</summary>
    public void ComputeHash(string previousHash, Span<byte> destination) =>
        Sha256.Hash(CanonicalUtf8Writer.ForThread.Write(this, previousHash), destination);

    private static void WriteNullable(StringBuilder b, string? value)
    {
        if (value is null)
        {
            b.Append("null");
        }
        else
        {
            CanonicalJson.WriteString(b, value);
        }
    }
}

/// <summary>
/// One stored audit event's columns as UTF-8, the way a database hands them out, for building its canonical form without
/// decoding strings. Roles are comma-joined as stored; the Has… flags tell an absent value (NULL) from an empty one.
/// </summary>
public ref struct AuditColumnsUtf8
{
    public long Sequence;
    public DateTimeOffset Timestamp;
    public ReadOnlySpan<byte> ActorOid;
    public ReadOnlySpan<byte> ActorUsername;
    public ReadOnlySpan<byte> ActorRoles;
    public ReadOnlySpan<byte> ActorApiKey;
    public bool HasActorApiKey;
    public ReadOnlySpan<byte> Action;
    public ReadOnlySpan<byte> EntityType;
    public ReadOnlySpan<byte> EntityId;
    public ReadOnlySpan<byte> Payload;
    public ReadOnlySpan<byte> CorrelationId;
    public bool HasCorrelationId;
    public ReadOnlySpan<byte> ClientAddress;
    public bool HasClientAddress;
    public ReadOnlySpan<byte> PreviousHash;
}
