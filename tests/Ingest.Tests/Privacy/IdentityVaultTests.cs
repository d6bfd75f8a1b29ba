using System.Security.Cryptography;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Privacy;

public sealed class IdentityVaultTests : IDisposable
{
    private readonly TempFolder _home = new();
    private readonly IdentityVault _vault;

    public IdentityVaultTests()
    {
        _vault = KeyRing.LoadOrCreate(_home.Path, _ => null).Vault;
    }

    [Fact]
    public void Sealed_korean_text_opens_to_itself()
    {
        Assert.Equal("인천광역시 계양구 510로 2", _vault.Open(_vault.Seal("인천광역시 계양구 510로 2")));
        Assert.Equal(string.Empty, _vault.Open(_vault.Seal(string.Empty)));
    }

    [Fact]
    public void Sealed_value_is_nonce_tag_ciphertext_and_differs_each_time()
    {
        var first = _vault.Seal("010-1234-5678");
        var second = _vault.Seal("010-1234-5678");

        Assert.Equal(12 + 16 + "010-1234-5678".Length, first.Length);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Altered_value_does_not_open()
    {
        var sealedValue = _vault.Seal("김영희");
        sealedValue[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => _vault.Open(sealedValue));
    }

    [Fact]
    public void Value_sealed_under_another_key_does_not_open()
    {
        using var otherHome = new TempFolder();
        var other = KeyRing.LoadOrCreate(otherHome.Path, _ => null).Vault;

        Assert.ThrowsAny<CryptographicException>(() => _vault.Open(other.Seal("김영희")));
    }

    public void Dispose() => _home.Dispose();
}
