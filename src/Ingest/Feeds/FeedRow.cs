using CsvHelper;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// The current record of a feed file, read by the feed's own column numbers: the header decides where each column
/// is, so column order is free and unknown columns are never looked at. Spans are valid until the next read.
/// </summary>
internal readonly struct FeedRow(CsvReader reader, int[] fieldIndexes)
{
    /// <summary>The line the record starts on, as quarantine entries name it.</summary>
    public int Line => checked((int)reader.LineNumber);

    /// <summary>The UTF-8 bytes of column <paramref name="column"/> of the feed (its index in <see cref="FeedDefinition.Columns"/>); empty when the file has no such column.</summary>
    public ReadOnlySpan<byte> this[int column]
    {
        get
        {
            var index = fieldIndexes[column];
            return index < 0 ? [] : reader.GetSpan(index);
        }
    }
}
