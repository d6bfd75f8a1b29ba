using System.Security.Cryptography;
using System.Text;

namespace RiskWatch.Ingest.Privacy;

/// <summary>Encrypts identity data with AES-256-GCM: a sealed value is nonce (12 bytes) | tag (16 bytes) | ciphertext.</summary>
public sealed class IdentityVault
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    internal IdentityVault(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <summary>Encrypts <paramref name="plaintext"/> under a fresh random nonce.</summary>
    public byte[] Seal(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);

        var byteCount = Encoding.UTF8.GetByteCount(plaintext);
        var sealedValue = new byte[NonceSize + TagSize + byteCount];
        var nonce = sealedValue.AsSpan(0, NonceSize);
        var tag = sealedValue.AsSpan(NonceSize, TagSize);
        var ciphertext = sealedValue.AsSpan(NonceSize + TagSize);

        // The plaintext is encoded straight into the output and encrypted in place, so no copy of it is left behind.
        Encoding.UTF8.GetBytes(plaintext, ciphertext);
        RandomNumberGenerator.Fill(nonce);

        // AesGcm instances are not safe to share between threads; one per call keeps the vault usable from a web app.
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, ciphertext, ciphertext, tag);
        return sealedValue;
    }

    /// <summary>Decrypts a value made by <see cref="Seal"/>; throws <see cref="CryptographicException"/> if it was altered or sealed under another key.</summary>
    public string Open(byte[] sealedValue)
    {
        ArgumentNullException.ThrowIfNull(sealedValue);
        if (sealedValue.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed value is too short to be a RiskWatch identity value.");
        }

        var nonce = sealedValue.AsSpan(0, NonceSize);
        var tag = sealedValue.AsSpan(NonceSize, TagSize);
        var ciphertext = sealedValue.AsSpan(NonceSize + TagSize);
        var plaintext = new byte[ciphertext.Length];

        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(nonce, ciphertext, tag, plaintext);
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>Seals UTF-8 text straight from a reader's buffer, without making a string of it first.</summary>
    internal byte[] Seal(ReadOnlySpan<byte> utf8Plaintext)
    {
        var sealedValue = new byte[NonceSize + TagSize + utf8Plaintext.Length];
        var nonce = sealedValue.AsSpan(0, NonceSize);
        var tag = sealedValue.AsSpan(NonceSize, TagSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, utf8Plaintext, sealedValue.AsSpan(NonceSize + TagSize), tag);
        return sealedValue;
    }
}
