using System.Security.Cryptography;
using System.Text;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class SubjectTableTests
{
    [Fact]
    public void Every_key_set_is_found_with_its_number_and_none_other_is_as_the_table_grows()
    {
        var table = new SubjectTable();
        for (var i = 0; i < 50_000; i++)
        {
            table.Set(Key(i), i + 1);
        }

        Assert.Equal(50_000, table.Count);
        Assert.All(Enumerable.Range(0, 50_000), i => Assert.True(table.TryGetValue(Key(i), out var n) && n == i + 1));
        Assert.All(Enumerable.Range(50_000, 50_000), i => Assert.False(table.TryGetValue(Key(i), out _)));
    }

    [Fact]
    public void Keys_read_in_key_order_after_sizing_are_all_found()
    {
        var keys = Enumerable.Range(0, 30_000).Select(Key).OrderBy(k => k.ToHex(), StringComparer.Ordinal).ToList();
        var table = new SubjectTable();
        table.EnsureCapacity(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            table.Set(keys[i], i + 1);
        }

        Assert.All(Enumerable.Range(0, keys.Count), i => Assert.True(table.TryGetValue(keys[i], out var n) && n == i + 1));
    }

    [Fact]
    public void Setting_a_key_again_gives_it_the_new_number_without_counting_it_twice()
    {
        var table = new SubjectTable();
        table.Set(Key(1), 7);
        table.Set(Key(1), 9);

        Assert.Equal(1, table.Count);
        Assert.True(table.TryGetValue(Key(1), out var number));
        Assert.Equal(9, number);
    }

    [Fact]
    public void Removing_keys_that_share_a_home_slot_keeps_every_other_key_findable()
    {
        // Keys with the same top bits start their probe at the same slot, and some wrap around the table's end:
        // removing any of them must not cut the probe path of the ones placed after it.
        var table = new SubjectTable();
        var crowded = Enumerable.Range(0, 6).Select(i => new SubjectKey(ulong.MaxValue, (ulong)i, 0, 0)).ToList();
        var others = Enumerable.Range(0, 4).Select(i => new SubjectKey(0, (ulong)i, 1, 1)).ToList();
        var all = crowded.Concat(others).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            table.Set(all[i], i + 1);
        }

        foreach (var removed in new[] { crowded[0], crowded[3], others[1] })
        {
            Assert.True(table.Remove(removed));
            Assert.False(table.Remove(removed));
            Assert.False(table.TryGetValue(removed, out _));
        }

        var kept = all.Except([crowded[0], crowded[3], others[1]]).ToList();
        Assert.Equal(kept.Count, table.Count);
        Assert.All(kept, key => Assert.True(table.TryGetValue(key, out var n) && n == all.IndexOf(key) + 1));
    }

    [Fact]
    public void Removing_half_of_many_keys_then_adding_them_back_finds_each_with_its_number()
    {
        var table = new SubjectTable();
        for (var i = 0; i < 20_000; i++)
        {
            table.Set(Key(i), i + 1);
        }

        for (var i = 0; i < 20_000; i += 2)
        {
            Assert.True(table.Remove(Key(i)));
        }

        Assert.All(Enumerable.Range(0, 20_000), i => Assert.Equal(i % 2 == 1, table.TryGetValue(Key(i), out _)));
        for (var i = 0; i < 20_000; i += 2)
        {
            table.Set(Key(i), i + 100_001);
        }

        Assert.All(Enumerable.Range(0, 20_000), i =>
            Assert.True(table.TryGetValue(Key(i), out var n) && n == (i % 2 == 1 ? i + 1 : i + 100_001)));
    }

    [Fact]
    public void The_all_zero_key_is_a_key_like_any_other_and_a_cleared_table_finds_nothing()
    {
        var table = new SubjectTable();
        Assert.False(table.TryGetValue(default, out _));
        Assert.False(table.Remove(default));

        table.Set(default, 3);
        table.Set(Key(1), 4);
        Assert.True(table.TryGetValue(default, out var zero) && zero == 3);

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.False(table.TryGetValue(default, out _));
        Assert.False(table.TryGetValue(Key(1), out _));
    }

    [Fact]
    public void A_number_below_one_is_refused_since_the_store_numbers_subjects_from_one()
    {
        var table = new SubjectTable();
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Set(Key(1), 0));
        Assert.Equal(0, table.Count);
    }

    // What keys are in a run: HMAC-SHA256 outputs.
    private static SubjectKey Key(int i) =>
        SubjectKey.FromBytes(HMACSHA256.HashData("test key"u8, Encoding.ASCII.GetBytes($"H{i:D8}")));
}
