using System.Buffers.Binary;
using System.Text;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// Rows in PostgreSQL's binary COPY format (the "Binary Format" of the COPY documentation), written straight to the raw
/// copy stream: a 19-byte header, then per row a 16-bit field count and each field as a 32-bit length (-1 for NULL)
/// and its bytes in network order, then a -1 trailer. Npgsql's typed importer does the same through a parameter and an
/// async state machine per value, which was a third of a usage row's client CPU.
/// </summary>
internal sealed class BinaryCopyWriter
{
    private const int BufferBytes = 1 << 16;

    // The signature "PGCOPY\n\377\r\n\0", a flags word (no OIDs) and an empty header extension.
    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly Stream _stream;
    private byte[] _buffer = new byte[BufferBytes];
    private int _position;

    // The UTF-8 bytes of the last string of each field position: days and enum values repeat on every row.
    private readonly string?[] _lastText;
    private readonly byte[]?[] _lastUtf8;

    public BinaryCopyWriter(Stream stream, int fields)
    {
        _stream = stream;
        _lastText = new string?[fields];
        _lastUtf8 = new byte[]?[fields];
        Header.CopyTo(_buffer);
        _position = Header.Length;
    }

    public void StartRow(int fields)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), checked((short)fields));
        _position += 2;
    }

    public void WriteNull()
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), -1);
        _position += 4;
    }

    public void Write(long value)
    {
        Ensure(12);
        var span = _buffer.AsSpan(_position);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
        _position += 12;
    }

    public void Write(double value)
    {
        Ensure(12);
        var span = _buffer.AsSpan(_position);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteDoubleBigEndian(span[4..], value);
        _position += 12;
    }

    public void Write(string value, int field)
    {
        if (ReferenceEquals(value, _lastText[field]))
        {
            Write(_lastUtf8[field]!);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        Ensure(4 + length);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), length);
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position + 4));
        if (length <= 24)
        {
            _lastText[field] = value;
            _lastUtf8[field] = _buffer.AsSpan(_position + 4, written).ToArray();
        }

        _position += 4 + written;
    }

    public void Write(ReadOnlySpan<byte> value)
    {
        Ensure(4 + value.Length);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), value.Length);
        value.CopyTo(_buffer.AsSpan(_position + 4));
        _position += 4 + value.Length;
    }

    /// <summary>Writes the trailer and whatever is buffered; the COPY ends when the stream is disposed.</summary>
    public void Complete()
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), -1);
        _position += 2;
        FlushBuffer();
    }

    private void Ensure(int bytes)
    {
        if (_position + bytes <= _buffer.Length)
        {
            return;
        }

        FlushBuffer();
        if (bytes > _buffer.Length)
        {
            _buffer = new byte[Math.Max(bytes, _buffer.Length * 2)];
        }
    }

    private void FlushBuffer()
    {
        _stream.Write(_buffer, 0, _position);
        _position = 0;
    }
}
