using System.Buffers;
using System.Globalization;
using System.Text;

namespace GovernancePortal.Audit;

/// <summary>
/// Writes <see cref="AuditRecord.Canonical"/> straight to UTF-8 in a reused buffer: the same bytes as
/// <c>Encoding.UTF8.GetBytes(record.Canonical(previousHash))</c> (unit tests pin the equality), without the
/// StringBuilder, the string and the copy, so hashing a million events makes no garbage.
/// </summary>
internal sealed class CanonicalUtf8Writer
{
    // The characters CanonicalJson.WriteString escapes.
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private static readonly SearchValues<byte> NeedsEscapeUtf8 = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f"u8 +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"u8);

    [ThreadStatic]
    private static CanonicalUtf8Writer? _perThread;

    private byte[] _buffer = new byte[1024];
    private int _length;

    /// <summary>A writer for the calling thread; its output is valid until the thread's next <see cref="Write"/>.</summary>
    public static CanonicalUtf8Writer ForThread => _perThread ??= new CanonicalUtf8Writer();

    public ReadOnlySpan<byte> Write(AuditRecord r, string previousHash)
    {
        // Members in the code-unit order RFC 8785 prescribes, as in AuditRecord.Canonical.
        _length = 0;
        Raw("{\"action\":"u8);
        String(r.Action);
        Raw(",\"actor\":{"u8);
        if (r.Actor.ApiKeyLabel is not null)
        {
            Raw("\"apiKey\":"u8);
            String(r.Actor.ApiKeyLabel);
            Raw(","u8);
        }
        Raw("\"oid\":"u8);
        String(r.Actor.Oid);
        Raw(",\"roles\":["u8);
        for (var i = 0; i < r.Actor.Roles.Count; i++)
        {
            if (i > 0)
            {
                Raw(","u8);
            }
            String(r.Actor.Roles[i]);
        }
        Raw("],\"username\":"u8);
        String(r.Actor.Username);
        Raw("},\"client\":"u8);
        Nullable(r.ClientAddress);
        Raw(",\"correlationId\":"u8);
        Nullable(r.CorrelationId);
        Raw(",\"entityId\":"u8);
        String(r.EntityId);
        Raw(",\"entityType\":"u8);
        String(r.EntityType);
        Raw(",\"payload\":"u8);
        Text(r.Payload);
        Raw(",\"prev\":"u8);
        String(previousHash);
        WriteTail(r.Sequence, r.Timestamp);
        return _buffer.AsSpan(0, _length);
    }

    /// <summary>
    /// The same bytes from the columns as a database stores them (UTF-8, roles comma-joined), without decoding them to
    /// strings: valid UTF-8 is copied as it is, which is what decoding and encoding it again would give.
    /// </summary>
    public ReadOnlySpan<byte> Write(scoped in AuditColumnsUtf8 c)
    {
        _length = 0;
        Raw("{\"action\":"u8);
        String(c.Action);
        Raw(",\"actor\":{"u8);
        if (c.HasActorApiKey)
        {
            Raw("\"apiKey\":"u8);
            String(c.ActorApiKey);
            Raw(","u8);
        }
        Raw("\"oid\":"u8);
        String(c.ActorOid);
        Raw(",\"roles\":["u8);
        // AuditEvent stores roles comma-joined and reads them back split on commas; an empty column is no role.
        if (!c.ActorRoles.IsEmpty)
        {
            var roles = c.ActorRoles;
            while (true)
            {
                var comma = roles.IndexOf((byte)',');
                String(comma < 0 ? roles : roles[..comma]);
                if (comma < 0)
                {
                    break;
                }
                Raw(","u8);
                roles = roles[(comma + 1)..];
            }
        }
        Raw("],\"username\":"u8);
        String(c.ActorUsername);
        Raw("},\"client\":"u8);
        Nullable(c.ClientAddress, c.HasClientAddress);
        Raw(",\"correlationId\":"u8);
        Nullable(c.CorrelationId, c.HasCorrelationId);
        Raw(",\"entityId\":"u8);
        String(c.EntityId);
        Raw(",\"entityType\":"u8);
        String(c.EntityType);
        Raw(",\"payload\":"u8);
        Raw(c.Payload);
        Raw(",\"prev\":"u8);
        String(c.PreviousHash);
        WriteTail(c.Sequence, c.Timestamp);
        return _buffer.AsSpan(0, _length);
    }

    private void WriteTail(long sequence, DateTimeOffset timestamp)
    {
        Raw(",\"seq\":"u8);
        Ensure(20);
        sequence.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
        Raw(",\"ts\":\""u8);
        Ensure(32);
        AuditRecord.Normalize(timestamp).UtcDateTime.TryFormat(_buffer.AsSpan(_length), out written,
            AuditRecord.TimestampFormat, CultureInfo.InvariantCulture);
        _length += written;
        Raw("\",\"v\":"u8);
        Ensure(12);
        AuditRecord.FormatVersion.TryFormat(_buffer.AsSpan(_length), out written, default, CultureInfo.InvariantCulture);
        _length += written;
        Raw("}"u8);
    }

    private void Nullable(ReadOnlySpan<byte> value, bool present)
    {
        if (present)
        {
            String(value);
        }
        else
        {
            Raw("null"u8);
        }
    }

    // String(string)'s escaping over UTF-8: every escaped character is ASCII, so no multi-byte sequence is ever split.
    private void String(ReadOnlySpan<byte> value)
    {
        Raw("\""u8);
        var rest = value;
        while (true)
        {
            var i = rest.IndexOfAny(NeedsEscapeUtf8);
            Raw(i < 0 ? rest : rest[..i]);
            if (i < 0)
            {
                break;
            }
            Escape((char)rest[i]);
            rest = rest[(i + 1)..];
        }
        Raw("\""u8);
    }

    private void Escape(char c)
    {
        switch (c)
        {
            case '"': Raw("\\\""u8); break;
            case '\\': Raw("\\\\"u8); break;
            case '\b': Raw("\\b"u8); break;
            case '\f': Raw("\\f"u8); break;
            case '\n': Raw("\\n"u8); break;
            case '\r': Raw("\\r"u8); break;
            case '\t': Raw("\\t"u8); break;
            default:
                Raw("\\u00"u8);
                Ensure(2);
                ((int)c).TryFormat(_buffer.AsSpan(_length), out var written, "x2", CultureInfo.InvariantCulture);
                _length += written;
                break;
        }
    }

    private void Nullable(string? value)
    {
        if (value is null)
        {
            Raw("null"u8);
        }
        else
        {
            String(value);
        }
    }

    // CanonicalJson.WriteString's escaping. Runs between escapes are encoded whole; escapes are ASCII, so a
    // surrogate pair is never split between runs and a lone surrogate becomes U+FFFD exactly as in the whole string.
    private void String(string value)
    {
        Raw("\""u8);
        var rest = value.AsSpan();
        while (true)
        {
            var i = rest.IndexOfAny(NeedsEscape);
            Text(i < 0 ? rest : rest[..i]);
            if (i < 0)
            {
                break;
            }
            Escape(rest[i]);
            rest = rest[(i + 1)..];
        }
        Raw("\""u8);
    }

    private void Text(ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
