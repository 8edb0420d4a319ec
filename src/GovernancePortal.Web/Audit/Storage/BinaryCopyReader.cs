using System.Buffers.Binary;

namespace GovernancePortal.Audit.Storage;

/// <summary>
/// Reads PostgreSQL's binary COPY format (the COPY page of the PostgreSQL manual, "Binary Format") from a raw COPY
/// stream: a signature and header, then per row a field count and per field a length (-1 for NULL) and the value's
/// binary form. Values are handed out as spans into the read buffer, valid until the next read.
/// </summary>
internal sealed class BinaryCopyReader(Stream stream)
{
    private static ReadOnlySpan<byte> Signature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xff, (byte)'\r', (byte)'\n', 0];

    // Microseconds in timestamptz count from 2000-01-01 00:00 UTC.
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private bool _headerRead;

    /// <summary>Moves to the next row; false at the trailer. A row with another number of fields is refused.</summary>
    public bool NextRow(int fields)
    {
        if (!_headerRead)
        {
            ReadHeader();
        }
        var count = BinaryPrimitives.ReadInt16BigEndian(Take(2));
        if (count == -1)
        {
            return false;
        }
        if (count != fields)
        {
            throw new InvalidDataException($"A COPY row has {count} fields; {fields} were expected.");
        }
        return true;
    }

    /// <summary>The next field's bytes; false for NULL.</summary>
    public bool Value(out ReadOnlySpan<byte> value)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        if (length == -1)
        {
            value = default;
            return false;
        }
        if (length < 0)
        {
            throw new InvalidDataException($"A COPY field has the length {length}.");
        }
        value = Take(length);
        return true;
    }

    /// <summary>The next field as a non-null <c>bigint</c>.</summary>
    public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Fixed(8, "bigint"));

    /// <summary>The next field as a non-null <c>timestamptz</c>, in UTC.</summary>
    public DateTimeOffset TimestampTz()
    {
        var microseconds = BinaryPrimitives.ReadInt64BigEndian(Fixed(8, "timestamptz"));
        return new DateTimeOffset(checked(PostgresEpochTicks + microseconds * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    private ReadOnlySpan<byte> Fixed(int length, string type)
    {
        if (!Value(out var value) || value.Length != length)
        {
            throw new InvalidDataException($"A COPY field is not a non-null {type}.");
        }
        return value;
    }

    private void ReadHeader()
    {
        if (!Take(11).SequenceEqual(Signature))
        {
            throw new InvalidDataException("The COPY stream does not start with the binary COPY signature.");
        }
        var flags = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        if ((flags & (1 << 16)) != 0)
        {
            throw new InvalidDataException("The COPY stream carries row OIDs, which this reader does not expect.");
        }
        var extension = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        if (extension < 0)
        {
            throw new InvalidDataException("The COPY header extension has a negative length.");
        }
        Take(extension);
        _headerRead = true;
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (_end - _start < length)
        {
            Fill(length);
        }
        var taken = _buffer.AsSpan(_start, length);
        _start += length;
        return taken;
    }

    private void Fill(int length)
    {
        var kept = _end - _start;
        if (length > _buffer.Length)
        {
            var larger = new byte[Math.Max(length, 2 * _buffer.Length)];
            _buffer.AsSpan(_start, kept).CopyTo(larger);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(_start, kept).CopyTo(_buffer);
        }
        _start = 0;
        _end = kept;
        while (_end < length)
        {
            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                throw new InvalidDataException("The COPY stream ended inside a row.");
            }
            _end += read;
        }
    }
}
