using System.Buffers.Binary;

namespace RiskWatch.Ingest.Privacy;

/// <summary>
/// An identifier of up to 23 bytes (a household_id, the digits of an rrn) packed with its length into three words:
/// a cheap key for the in-memory maps of one ingest run. It is the identifier itself, so it never leaves memory.
/// </summary>
internal readonly record struct PackedIdentifier(ulong A, ulong B, ulong C)
{
    public const int MaxLength = 23;

    public static bool TryPack(ReadOnlySpan<byte> value, out PackedIdentifier packed)
    {
        packed = default;
        if (value.Length > MaxLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxLength + 1];
        bytes.Clear();
        value.CopyTo(bytes);
        bytes[MaxLength] = (byte)value.Length;
        packed = new PackedIdentifier(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]));
        return true;
    }
}
