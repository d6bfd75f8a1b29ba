using System.Security.Cryptography;

namespace RiskWatch.Ingest.Privacy;

/// <summary>
/// The two secret keys of a RiskWatch installation: one for pseudonyms (HMAC), one for the identity vault (AES-GCM).
/// Each comes from its environment variable (base64) when set, otherwise from a key file under <c>{home}/keys</c>,
/// created with random bytes and owner-only permissions on first use.
/// </summary>
public sealed class KeyRing
{
    public const string PseudonymKeyVariable = "RISKWATCH_PSEUDONYM_KEY";
    public const string IdentityKeyVariable = "RISKWATCH_IDENTITY_KEY";

    private const int KeySize = 32;

    private KeyRing(byte[] pseudonymKey, byte[] identityKey, string location)
    {
        Pseudonymizer = new Pseudonymizer(pseudonymKey);
        Vault = new IdentityVault(identityKey);
        Location = location;
    }

    /// <summary>Keyed HMAC of identifiers (rrn, household_id).</summary>
    public Pseudonymizer Pseudonymizer { get; }

    /// <summary>Encryption of identity data (names, addresses, phones, report notes).</summary>
    public IdentityVault Vault { get; }

    /// <summary>Where the keys come from, to print (never the keys themselves).</summary>
    public string Location { get; }

    /// <summary>Loads the keys from the environment or from <c>{home}/keys</c>, creating missing key files.</summary>
    public static KeyRing LoadOrCreate(string home) => LoadOrCreate(home, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="LoadOrCreate(string)"/>, with the environment given (tests must not change the process environment).</summary>
    internal static KeyRing LoadOrCreate(string home, Func<string, string?> environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(home);
        ArgumentNullException.ThrowIfNull(environment);

        var keyFolder = Path.Combine(Path.GetFullPath(home), "keys");
        var (pseudonymKey, pseudonymFrom) = Load(PseudonymKeyVariable, Path.Combine(keyFolder, "pseudonym.key"), environment);
        var (identityKey, identityFrom) = Load(IdentityKeyVariable, Path.Combine(keyFolder, "identity.key"), environment);

        var fromFiles = pseudonymFrom.StartsWith(keyFolder, StringComparison.Ordinal)
            && identityFrom.StartsWith(keyFolder, StringComparison.Ordinal);
        var location = fromFiles ? keyFolder : $"pseudonym key: {pseudonymFrom}; identity key: {identityFrom}";
        return new KeyRing(pseudonymKey, identityKey, location);
    }

    private static (byte[] Key, string From) Load(string variable, string path, Func<string, string?> environment)
    {
        var fromEnvironment = environment(variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return (Decode(fromEnvironment, $"environment variable {variable}"), $"environment variable {variable}");
        }

        return (File.Exists(path) ? ReadKeyFile(path) : ReadOrCreateKeyFile(path), path);
    }

    private static byte[] ReadKeyFile(string path) => Decode(File.ReadAllText(path), $"key file {path}");

    /// <summary>
    /// Creates the key file unless another process (or thread) has, under a lock file beside it: two processes starting at
    /// once on a fresh home must end with one key. A no-overwrite move alone did not ensure that here (8 threads at once
    /// were seen to end with two keys), and two pseudonym keys would split every subject in two.
    /// </summary>
    private static byte[] ReadOrCreateKeyFile(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var gate = Lock(Path.Combine(folder, ".create.lock"));
        if (File.Exists(path))
        {
            return ReadKeyFile(path);
        }

        var key = RandomNumberGenerator.GetBytes(KeySize);

        // Written to a private temporary file and moved into place, so that a process reading without the lock never
        // reads a half-written key.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(new FileStream(temporary, options)))
        {
            writer.WriteLine(Convert.ToBase64String(key));
        }

        File.Move(temporary, path, overwrite: false);
        return key;
    }

    /// <summary>An exclusive lock on <paramref name="path"/> (flock on Unix) for as long as the stream is open.</summary>
    private static FileStream Lock(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }
        }
    }

    private static byte[] Decode(string base64, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The {source} is not base64 (expected {KeySize} random bytes in base64).");
        }

        if (key.Length != KeySize)
        {
            throw new InvalidOperationException($"The {source} holds {key.Length} bytes; a RiskWatch key is {KeySize} bytes in base64.");
        }

        return key;
    }
}
