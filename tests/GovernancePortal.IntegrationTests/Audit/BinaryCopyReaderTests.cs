using System.Buffers.Binary;
using System.Text;
using GovernancePortal.Audit;
using GovernancePortal.Audit.Storage;

namespace GovernancePortal.IntegrationTests.Audit;

/// <summary>The binary COPY parser on hand-made streams; the tamper tests run it against a real PostgreSQL.</summary>
public class BinaryCopyReaderTests
{
    private static readonly byte[] Signature = [.. "PGCOPY\n"u8, 0xff, .. "\r\n"u8, 0];

    private sealed class CopyStream
    {
        private readonly MemoryStream _bytes = new();

        public CopyStream Header(int flags = 0, byte[]? extension = null)
        {
            _bytes.Write(Signature);
            Int32(flags);
            Int32(extension?.Length ?? 0);
            _bytes.Write(extension ?? []);
            return this;
        }

        public CopyStream Row(params byte[]?[] fields)
        {
            Int16((short)fields.Length);
            foreach (var field in fields)
            {
                if (field is null)
                {
                    Int32(-1);
                }
                else
                {
                    Int32(field.Length);
                    _bytes.Write(field);
                }
            }
            return this;
        }

        public CopyStream Trailer()
        {
            Int16(-1);
            return this;
        }

        // Hands out at most a few bytes per read, as a network stream may.
        public Stream Build(int chunk = 7) => new Trickle(_bytes.ToArray(), chunk);

        private void Int16(short value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, value);
            _bytes.Write(b);
        }

        private void Int32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            _bytes.Write(b);
        }
    }

    private sealed class Trickle(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }

    private static byte[] BigEndian(long value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        return b;
    }

    [Fact]
    public void Reads_rows_of_bigint_timestamptz_text_and_null_fields()
    {
        var at = new DateTimeOffset(2026, 11, 26, 3, 4, 5, TimeSpan.Zero).AddTicks(1230);
        var microseconds = (at.UtcTicks - new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks) / 10;
        var stream = new CopyStream().Header(extension: [1, 2, 3])
            .Row(BigEndian(42), BigEndian(microseconds), Encoding.UTF8.GetBytes("naïve \"text\""), null, [])
            .Trailer().Build();
        var reader = new BinaryCopyReader(stream);

        Assert.True(reader.NextRow(5));
        Assert.Equal(42, reader.Int64());
        Assert.Equal(at, reader.TimestampTz());
        Assert.True(reader.Value(out var text));
        Assert.Equal("naïve \"text\"", Encoding.UTF8.GetString(text));
        Assert.False(reader.Value(out _));
        Assert.True(reader.Value(out var empty));
        Assert.True(empty.IsEmpty);
        Assert.False(reader.NextRow(5));
    }

    [Fact]
    public void A_value_larger_than_the_buffer_is_read_whole()
    {
        var large = new byte[1_000_000];
        new Random(7).NextBytes(large);
        var stream = new CopyStream().Header().Row(large).Row("after"u8.ToArray()).Trailer().Build(chunk: 65_536);
        var reader = new BinaryCopyReader(stream);

        Assert.True(reader.NextRow(1));
        Assert.True(reader.Value(out var value));
        Assert.True(value.SequenceEqual(large));
        Assert.True(reader.NextRow(1));
        Assert.True(reader.Value(out var after));
        Assert.Equal("after", Encoding.UTF8.GetString(after));
        Assert.False(reader.NextRow(1));
    }

    public static TheoryData<string, byte[]> Malformed() => new()
    {
        { "signature", [.. "PGCOPX\n"u8, 0xff, .. "\r\n"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] },
        { "OIDs", [.. Signature, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff] },
        { "fields", [.. Signature, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "ended", [.. Signature, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2] },
        { "length", [.. Signature, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_stream_is_refused_with_a_reason(string fault, byte[] bytes)
    {
        var reader = new BinaryCopyReader(new MemoryStream(bytes));
        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            while (reader.NextRow(1))
            {
                reader.Value(out _);
            }
        });
        Assert.False(string.IsNullOrWhiteSpace(ex.Message), fault);
    }

    [Fact]
    public void A_bigint_of_the_wrong_length_is_refused()
    {
        var reader = new BinaryCopyReader(new CopyStream().Header().Row([1, 2, 3, 4]).Trailer().Build());
        Assert.True(reader.NextRow(1));
        Assert.Throws<InvalidDataException>(() => reader.Int64());
    }
}
