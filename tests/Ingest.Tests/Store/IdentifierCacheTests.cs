using System.Text;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class IdentifierCacheTests
{
    [Fact]
    public void Every_identifier_added_is_found_with_its_number_and_none_other_is()
    {
        var cache = new IdentifierCache();
        for (var i = 0; i < 20_000; i++)
        {
            cache.Add(Id($"H{i:D8}"), i + 1);
        }

        Assert.All(Enumerable.Range(0, 20_000), i => Assert.True(cache.TryGetValue(Id($"H{i:D8}"), out var n) && n == i + 1));
        Assert.All(Enumerable.Range(20_000, 20_000), i => Assert.False(cache.TryGetValue(Id($"H{i:D8}"), out _)));
    }

    [Fact]
    public void A_full_cache_keeps_what_it_has_and_a_cleared_one_finds_nothing()
    {
        var cache = new IdentifierCache();
        for (var i = 0; i < IdentifierCache.MaxEntries + 10; i++)
        {
            cache.Add(Id($"P{i:D12}"), i + 1);
        }

        Assert.Equal(IdentifierCache.MaxEntries, cache.Count);
        Assert.True(cache.TryGetValue(Id("P000000000000"), out var first) && first == 1);
        Assert.False(cache.TryGetValue(Id($"P{IdentifierCache.MaxEntries + 5:D12}"), out _));

        cache.Clear();

        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGetValue(Id("P000000000000"), out _));
    }

    private static PackedIdentifier Id(string text) =>
        PackedIdentifier.TryPack(Encoding.ASCII.GetBytes(text), out var id) ? id : throw new ArgumentException(text);
}
