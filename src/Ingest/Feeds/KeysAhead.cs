using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// The pseudonymous keys of a usage file's subjects, computed on a thread of their own a little ahead of the row loop:
/// the loop, which validates each row and resolves its subject, then finds the HMAC of the row's identifier done.
/// </summary>
/// <remarks>
/// <para>
/// A usage row's HMAC (a call into OpenSSL, ~0.55 µs here) was a fifth of the row loop, the ingest's critical path,
/// while the second core mostly waited for the loop's batches (<see cref="WriteBehind"/>). This thread reads the file
/// with its own reader, takes the identifier column only, normalizes and hashes it as the loader would, and leaves
/// (record, identifier, key) in a ring the loop reads by record number.
/// </para>
/// <para>
/// Only a hint: the loop takes a key only when the ring holds its record with the very identifier it validated, and
/// hashes the identifier itself otherwise (this thread behind, a row this thread skipped or read differently, a failed
/// read here — the loop's own reader reports the file's errors). So the keys, and what lands in the store, are the
/// same as without it. Identifiers stay in this process's memory, like the run's other caches.
/// </para>
/// </remarks>
internal sealed class KeysAhead : IDisposable
{
    // 16k rows (~1 MiB): several of the loop's batches ahead, a few milliseconds of its work.
    private const int RingSize = 1 << 14;
    private const int Mask = RingSize - 1;

    private readonly long[] _records = new long[RingSize];
    private readonly Entry[] _entries = new Entry[RingSize];
    private readonly string _path;
    private readonly string _column;
    private readonly Pseudonymizer.PseudonymHasher _hasher;
    private readonly Thread _thread;
    private long _current = -1;
    private volatile bool _stopping;

    private KeysAhead(string path, string column, bool isPerson, Pseudonymizer pseudonymizer)
    {
        _path = path;
        _column = column;
        IsPerson = isPerson;
        _hasher = pseudonymizer.CreateHasher();
        Array.Fill(_records, -1);
        _thread = new Thread(Run) { IsBackground = true, Name = "riskwatch ingest keys" };
        _thread.Start();
    }

    /// <summary>Whether the keys are of persons (an rrn column) or of households (a household_id column).</summary>
    public bool IsPerson { get; }

    /// <summary>Starts hashing the subjects of <paramref name="path"/> when the feed names one subject per row; else null.</summary>
    public static KeysAhead? Start(string path, FeedDefinition feed, Pseudonymizer pseudonymizer) =>
        feed.SubjectColumn is { } column ? new KeysAhead(path, column.Name, column.IsPerson, pseudonymizer) : null;

    /// <summary>The row loop is at record <paramref name="record"/> (the reader's RowNumber): the ring may reuse what is before it.</summary>
    public void Advance(long record) => Volatile.Write(ref _current, record);

    /// <summary>The key of the current record's identifier, if this thread has hashed that very identifier for it.</summary>
    public bool TryTake(in PackedIdentifier identifier, out SubjectKey key)
    {
        var record = _current;
        var slot = (int)(record & Mask);
        if (Volatile.Read(ref _records[slot]) == record && _entries[slot].Identifier == identifier)
        {
            key = _entries[slot].Key;
            return true;
        }

        key = default;
        return false;
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _hasher.Dispose();
    }

    private void Run()
    {
        try
        {
            using var reader = InboxIngestor.OpenCsv(_path, malformed: null);
            reader.ReadHeader();
            if (!reader.TryGetFieldIndex(_column, out var index))
            {
                return;
            }

            var digits = new byte[Rrn.DigitCount];
            while (!_stopping && reader.Read())
            {
                var record = reader.RowNumber;
                if (record < Volatile.Read(ref _current) || index >= reader.FieldCount)
                {
                    continue; // the loop is past this row already (or the row is short): nothing to gain
                }

                // The ring's slot of this record is free once the loop is within a ring of it.
                while (record - Volatile.Read(ref _current) >= RingSize)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    Thread.Sleep(1);
                }

                var value = reader.GetSpan(index);
                ReadOnlySpan<byte> normalized;
                if (IsPerson)
                {
                    if (Rrn.Validate(value, digits) != Rrn.Check.Valid)
                    {
                        continue;
                    }

                    normalized = digits;
                }
                else
                {
                    if (Fields.HouseholdId(value) is not null)
                    {
                        continue;
                    }

                    normalized = value;
                }

                if (!PackedIdentifier.TryPack(normalized, out var identifier))
                {
                    continue;
                }

                var slot = (int)(record & Mask);
                _entries[slot] = new Entry(identifier, IsPerson ? _hasher.Person(normalized) : _hasher.Household(normalized));
                Volatile.Write(ref _records[slot], record);
            }
        }
        catch (Exception)
        {
            // Stop hinting, whatever went wrong here: an exception left on this thread would end the process, and the row
            // loop hashes the rest itself while its own reader reports what is wrong with the file.
        }
    }

    private readonly record struct Entry(PackedIdentifier Identifier, SubjectKey Key);
}
