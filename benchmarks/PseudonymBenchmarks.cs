using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Benchmarks;

/// <summary>
/// The ingest's pseudonym of one identifier (an rrn after its domain prefix), ~3M a night at a million households:
/// the runtime's <see cref="HMACSHA256"/> with its state reused, as the ingest hashed before, against
/// <see cref="PrefixedHmacSha256"/> on OpenSSL's SHA-256 functions with the pads and the domain absorbed once.
/// </summary>
public class PseudonymBenchmarks
{
    private const int Identifiers = 100_000;
    private static readonly byte[] Domain = "riskwatch/person/v1:"u8.ToArray();

    private readonly byte[] _hash = new byte[SHA256.HashSizeInBytes];
    private readonly byte[] _input = new byte[Domain.Length + 13];
    private byte[][] _rrns = [];
    private HMACSHA256 _runtime = null!;
    private PrefixedHmacSha256 _prefixed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        _rrns = Enumerable.Range(0, Identifiers).Select(i => Encoding.ASCII.GetBytes($"{8001011000000L + (i * 7919L)}")).ToArray();
        _runtime = new HMACSHA256(key);
        _prefixed = PrefixedHmacSha256.Create(key, Domain)
            ?? throw new InvalidOperationException("OpenSSL's SHA-256 functions are not there to measure.");
        Domain.CopyTo(_input, 0);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Identifiers)]
    public byte RuntimeHmac()
    {
        byte last = 0;
        foreach (var rrn in _rrns)
        {
            rrn.CopyTo(_input, Domain.Length);
            _runtime.TryComputeHash(_input, _hash, out _);
            last ^= _hash[0];
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Identifiers)]
    public byte PrefixedOnOpenSsl()
    {
        byte last = 0;
        foreach (var rrn in _rrns)
        {
            _prefixed.Hash(rrn, _hash);
            last ^= _hash[0];
        }

        return last;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.Dispose();
        _prefixed.Dispose();
    }
}
