using System.Security.Cryptography;
using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Ingest.Tests.Privacy;

public sealed class PrefixedHmacSha256Tests
{
    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    public void Gives_the_runtime_HMAC_of_domain_and_value_for_every_length(int keyLength)
    {
        var random = new Random(keyLength);
        var key = new byte[keyLength];
        random.NextBytes(key);
        var domain = "riskwatch/person/v1:"u8.ToArray();
        using var hmac = PrefixedHmacSha256.Create(key, domain);

        // Linux, where the service runs, has libcrypto: the fast path is the one under test, not the fallback.
        Assert.NotNull(hmac);
        Span<byte> hash = stackalloc byte[32];
        for (var length = 0; length <= 130; length++)
        {
            var value = new byte[length];
            random.NextBytes(value);
            hmac.Hash(value, hash);

            Assert.Equal(HMACSHA256.HashData(key, domain.Concat(value).ToArray()), hash.ToArray());
        }
    }

    [Fact]
    public void A_hasher_gives_the_same_hash_each_time_and_other_values_other_hashes()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var hmac = PrefixedHmacSha256.Create(key, "riskwatch/household/v1:"u8)!;
        var first = new byte[32];
        var again = new byte[32];
        var other = new byte[32];

        hmac.Hash("H00000001"u8, first);
        hmac.Hash("H00000002"u8, other);
        hmac.Hash("H00000001"u8, again);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }
}
