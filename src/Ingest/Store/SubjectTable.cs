using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// Subject key → subject number for an ingest run: an open-addressed table with each key's home slot taken from the
/// key's own top bits, and keys and numbers stored side by side in one array.
/// </summary>
/// <remarks>
/// A run holds every key of the store (~3M at a million households) and looks one up per row. In a
/// <see cref="Dictionary{TKey, TValue}"/> each lookup touched a bucket and then an entry, two cache and TLB misses in
/// arrays of hundreds of MB: 30% of a night's ingest CPU went to the dictionary. Here a lookup is one miss (the probe
/// runs on in the same cache lines). The top bits of a key need no mixing: keys are HMAC-SHA256 outputs, uniform by
/// construction, and keyed, so nobody without the key can make keys that collide. They also put keys read in key order
/// (the store's index order) into ascending slots, so the run's first read fills the table front to back.
/// </remarks>
internal sealed class SubjectTable
{
    // Linear probing stays short up to about this load: ~1.5 probes for a key present at 0.7 full.
    private const double MaxLoad = 0.7;
    private const int MinBits = 4;

    private Slot[] _slots;
    private int _bits;
    private int _mask;
    private int _limit;

    public SubjectTable()
    {
        _slots = new Slot[1 << MinBits];
        Size(MinBits);
    }

    public int Count { get; private set; }

    public bool TryGetValue(in SubjectKey key, out long number)
    {
        number = _slots[Probe(key)].Number;
        return number != 0;
    }

    /// <summary>
    /// Asks the processor to bring the key's home slot into cache (and its page into the TLB), so that a lookup of it a
    /// little later finds it there. A hint only: the array may move before the lookup, and without SSE nothing is done.
    /// </summary>
    public unsafe void Prefetch(in SubjectKey key)
    {
        if (Sse.IsSupported)
        {
            // A slot is 40 bytes: its last byte may be on the next cache line.
            ref var slot = ref _slots[Home(key)];
            Sse.Prefetch0(Unsafe.AsPointer(ref slot));
            Sse.Prefetch0((byte*)Unsafe.AsPointer(ref slot) + (Unsafe.SizeOf<Slot>() - 1));
        }
    }

    /// <summary>Adds the key, or gives an existing key this number. Numbers are the store's surrogates, from 1 up.</summary>
    public void Set(in SubjectKey key, long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(number);
        if (Count >= _limit)
        {
            Resize(_bits + 1);
        }

        ref var slot = ref _slots[Probe(key)];
        if (slot.Number == 0)
        {
            Count++;
        }

        slot = new Slot(key, number);
    }

    /// <summary>Removes the key; true if it was there.</summary>
    public bool Remove(in SubjectKey key)
    {
        var slots = _slots;
        var hole = Probe(key);
        if (slots[hole].Number == 0)
        {
            return false;
        }

        // Backward shift: the keys after the hole that probed past it move back into it, so no lookup that starts
        // before the hole stops at it too early, and the table needs no tombstones.
        for (var j = (hole + 1) & _mask; slots[j].Number != 0; j = (j + 1) & _mask)
        {
            var home = Home(slots[j].Key);
            if (((j - home) & _mask) >= ((j - hole) & _mask))
            {
                slots[hole] = slots[j];
                hole = j;
            }
        }

        slots[hole] = default;
        Count--;
        return true;
    }

    public void Clear()
    {
        Array.Clear(_slots);
        Count = 0;
    }

    /// <summary>Sizes the table for <paramref name="count"/> keys without growing on the way.</summary>
    public void EnsureCapacity(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var bits = _bits;
        while (count > (int)((1L << bits) * MaxLoad))
        {
            bits++;
        }

        if (bits > _bits)
        {
            Resize(bits);
        }
    }

    private int Home(in SubjectKey key) => (int)(key.A >> (64 - _bits));

    /// <summary>The slot holding <paramref name="key"/>, or the empty slot where its probe ends (the table is never full).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Probe(in SubjectKey key)
    {
        var slots = _slots;
        var i = Home(key);
        while (slots[i].Number != 0 && slots[i].Key != key)
        {
            i = (i + 1) & _mask;
        }

        return i;
    }

    private void Resize(int bits)
    {
        if (bits > 30)
        {
            throw new InvalidOperationException("An ingest run holds at most 750 million subjects of one kind.");
        }

        var old = _slots;
        _slots = NewSlots(1 << bits);
        Size(bits);
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Number != 0)
            {
                _slots[Probe(slot.Key)] = slot;
            }
        }
    }

    /// <summary>
    /// An empty slot array, written through before anything reads it. A large array comes fresh from the kernel, and its
    /// pages are mapped on first touch: a probe that reads a page first maps the shared zero page, and the insert that
    /// then writes it faults again to copy it, and that second fault flushes the other core's TLB by interrupt. At a
    /// million households (~250 MB of slots) those interrupts alone were 3% of the night's CPU (`perf`, tenth pass);
    /// clearing first makes each page one write fault.
    /// </summary>
    private static Slot[] NewSlots(int length)
    {
        var slots = GC.AllocateUninitializedArray<Slot>(length);
        Array.Clear(slots);
        return slots;
    }

    private void Size(int bits)
    {
        _bits = bits;
        _mask = (1 << bits) - 1;
        _limit = (int)((1L << bits) * MaxLoad);
    }

    private readonly record struct Slot(SubjectKey Key, long Number);
}
