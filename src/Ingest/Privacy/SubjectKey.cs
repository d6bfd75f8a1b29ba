using System.Buffers.Binary;

namespace RiskWatch.Ingest.Privacy;

/// <summary>
/// A pseudonymous key (32 bytes of HMAC) as a value: the in-memory maps of an ingest run are keyed by it, so a row
/// costs no hex string; the hex text is made only for a subject seen for the first time.
/// </summary>
internal readonly record struct SubjectKey(ulong A, ulong B, ulong C, ulong D)
{
    public const int Size = 32;

    public static SubjectKey FromBytes(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash),
        BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

    /// <summary>A key's text as its UTF-8 bytes, as a store hands a column over without making a string.</summary>
    public static bool TryFromHex(ReadOnlySpan<byte> hex, out SubjectKey key)
    {
        key = default;
        Span<byte> bytes = stackalloc byte[Size];
        if (hex.Length != Size * 2
            || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Size)
        {
            return false;
        }

        key = FromBytes(bytes);
        return true;
    }

    public static bool TryFromHex(string hex, out SubjectKey key)
    {
        // Any character outside ASCII becomes '?', which the byte parser refuses as a hex digit.
        Span<byte> utf8 = stackalloc byte[Size * 2];
        if (hex.Length != utf8.Length)
        {
            key = default;
            return false;
        }

        System.Text.Encoding.ASCII.GetBytes(hex, utf8);
        return TryFromHex(utf8, out key);
    }

    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
        return Convert.ToHexStringLower(bytes);
    }
}
