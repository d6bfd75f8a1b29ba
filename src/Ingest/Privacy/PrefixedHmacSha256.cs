using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace RiskWatch.Ingest.Privacy;

/// <summary>
/// HMAC-SHA256 (RFC 2104) of a fixed domain prefix followed by a value, under one key, on OpenSSL's SHA-256 functions
/// (<c>SHA256_Init/Update/Final</c> of libcrypto, which the runtime's own cryptography already loads on Linux).
/// </summary>
/// <remarks>
/// A night hashes ~3 million identifiers. Through <see cref="HMACSHA256"/> each costs ~430 ns, nearly all of it the
/// runtime's and OpenSSL 3's per-call work (clearing the error queue, provider lookups, a context allocated and freed);
/// the two SHA-256 blocks an identifier needs take ~70 ns. Here the key's inner and outer pads, and the domain prefix,
/// are absorbed once into two hash states; each value copies them and adds the value and the inner digest (~100 ns).
/// Only SHA-256 itself is OpenSSL's: this class is the HMAC construction over it, checked against
/// <see cref="HMACSHA256"/> by the tests. Where libcrypto cannot be loaded (<see cref="Create"/> returns null) callers use
/// <see cref="HMACSHA256"/>.
/// </remarks>
internal sealed unsafe class PrefixedHmacSha256 : IDisposable
{
    private const int BlockSize = 64;

    private static readonly Sha256Functions? Functions = Sha256Functions.Load();

    private readonly Sha256Functions _functions;
    private State _inner;
    private State _outer;

    private PrefixedHmacSha256(Sha256Functions functions, ReadOnlySpan<byte> key, ReadOnlySpan<byte> domain)
    {
        _functions = functions;
        Span<byte> block = stackalloc byte[BlockSize];
        block.Clear();
        if (key.Length > BlockSize)
        {
            SHA256.HashData(key, block);
        }
        else
        {
            key.CopyTo(block);
        }

        Span<byte> pad = stackalloc byte[BlockSize];
        try
        {
            Xor(block, 0x36, pad);
            _inner = Absorb(pad, domain);
            Xor(block, 0x5c, pad);
            _outer = Absorb(pad, []);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
            CryptographicOperations.ZeroMemory(pad);
        }
    }

    /// <summary>A hasher of <paramref name="domain"/> ‖ value under <paramref name="key"/>; null where OpenSSL's functions are not there.</summary>
    public static PrefixedHmacSha256? Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> domain) =>
        Functions is { } functions ? new PrefixedHmacSha256(functions, key, domain) : null;

    /// <summary>HMAC-SHA256(key, domain ‖ <paramref name="value"/>) into <paramref name="hash"/> (32 bytes).</summary>
    public void Hash(ReadOnlySpan<byte> value, Span<byte> hash)
    {
        if (hash.Length < SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The hash needs 32 bytes.", nameof(hash));
        }

        // The states are copied, not used: each value starts from the same absorbed pads.
        var inner = _inner;
        var outer = _outer;
        var innerHash = stackalloc byte[SHA256.HashSizeInBytes];
        fixed (byte* data = value)
        fixed (byte* output = hash)
        {
            Check(_functions.Update(&inner, data, (nuint)value.Length));
            Check(_functions.Final(innerHash, &inner));
            Check(_functions.Update(&outer, innerHash, SHA256.HashSizeInBytes));
            Check(_functions.Final(output, &outer));
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(new Span<State>(ref _inner)));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(new Span<State>(ref _outer)));
    }

    private State Absorb(ReadOnlySpan<byte> pad, ReadOnlySpan<byte> domain)
    {
        State state = default;
        fixed (byte* padBytes = pad)
        fixed (byte* domainBytes = domain)
        {
            Check(_functions.Init(&state));
            Check(_functions.Update(&state, padBytes, (nuint)pad.Length));
            Check(_functions.Update(&state, domainBytes, (nuint)domain.Length));
        }

        return state;
    }

    private static void Xor(ReadOnlySpan<byte> block, byte with, Span<byte> into)
    {
        for (var i = 0; i < BlockSize; i++)
        {
            into[i] = (byte)(block[i] ^ with);
        }
    }

    private static void Check(int result)
    {
        if (result != 1)
        {
            throw new CryptographicException("OpenSSL's SHA-256 failed.");
        }
    }

    /// <summary>OpenSSL's <c>SHA256_CTX</c>: eight state words, the bit count, a block of pending data, two counters (112 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct State
    {
        private StateWords _words;
        private uint _lengthLow;
        private uint _lengthHigh;
        private Block _data;
        private uint _pending;
        private uint _digestLength;

        [InlineArray(8)]
        private struct StateWords
        {
            private uint _word;
        }

        [InlineArray(16)]
        private struct Block
        {
            private uint _word;
        }
    }

    /// <summary>The three functions, from libcrypto 3 or 1.1 (the same structure in both).</summary>
    private sealed class Sha256Functions
    {
        public delegate* unmanaged<State*, int> Init { get; private init; }

        public delegate* unmanaged<State*, byte*, nuint, int> Update { get; private init; }

        public delegate* unmanaged<byte*, State*, int> Final { get; private init; }

        public static Sha256Functions? Load()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            foreach (var name in (string[])["libcrypto.so.3", "libcrypto.so.1.1"])
            {
                if (NativeLibrary.TryLoad(name, out var library)
                    && NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                    && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                    && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
                {
                    // The library stays loaded for the process, as the runtime's own use of it does.
                    return new Sha256Functions
                    {
                        Init = (delegate* unmanaged<State*, int>)init,
                        Update = (delegate* unmanaged<State*, byte*, nuint, int>)update,
                        Final = (delegate* unmanaged<byte*, State*, int>)final,
                    };
                }
            }

            return null;
        }
    }
}
