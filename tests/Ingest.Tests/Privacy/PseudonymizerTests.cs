using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Privacy;

public sealed class PseudonymizerTests : IDisposable
{
    private readonly TempFolder _home = new();
    private readonly Pseudonymizer _pseudonymizer;

    public PseudonymizerTests()
    {
        _pseudonymizer = KeyRing.LoadOrCreate(_home.Path, _ => null).Pseudonymizer;
    }

    [Fact]
    public void Person_key_is_64_lowercase_hex_and_the_same_with_or_without_dash()
    {
        var key = _pseudonymizer.PersonKey("6806122842950");

        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.Equal(key, _pseudonymizer.PersonKey("680612-2842950"));
    }

    [Fact]
    public void Person_and_household_keys_of_the_same_text_differ()
    {
        Assert.NotEqual(_pseudonymizer.PersonKey("6806122842950"), _pseudonymizer.HouseholdKey("6806122842950"));
    }

    [Fact]
    public void Another_installation_key_gives_other_pseudonyms()
    {
        using var otherHome = new TempFolder();
        var other = KeyRing.LoadOrCreate(otherHome.Path, _ => null).Pseudonymizer;

        Assert.NotEqual(_pseudonymizer.PersonKey("6806122842950"), other.PersonKey("6806122842950"));
    }

    [Theory]
    [InlineData("680612284295")]
    [InlineData("68061-22842950")]
    [InlineData("680612 2842950")]
    [InlineData("６806122842950")]
    public void Malformed_rrn_is_refused_without_repeating_it(string rrn)
    {
        var exception = Assert.Throws<ArgumentException>(() => _pseudonymizer.PersonKey(rrn));

        Assert.DoesNotContain(rrn, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_hasher_gives_the_public_keys()
    {
        using var hasher = _pseudonymizer.CreateHasher();

        Assert.Equal(_pseudonymizer.PersonKey("6806122842950"), hasher.Person("6806122842950"u8).ToHex());
        Assert.Equal(_pseudonymizer.HouseholdKey("H00000001"), hasher.Household("H00000001"u8).ToHex());
    }

    public void Dispose() => _home.Dispose();
}
