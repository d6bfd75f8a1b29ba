using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Privacy;

public sealed class KeyRingTests
{
    [Fact]
    public void Key_files_are_created_on_first_use_readable_by_the_owner_only()
    {
        using var home = new TempFolder();

        var keys = KeyRing.LoadOrCreate(home.Path, _ => null);

        Assert.Equal(home.Combine("keys"), keys.Location);
        foreach (var file in new[] { "pseudonym.key", "identity.key" })
        {
            var path = home.Combine("keys", file);
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(path).Trim()).Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
    }

    [Fact]
    public void Keys_are_the_same_on_the_next_load()
    {
        using var home = new TempFolder();

        var first = KeyRing.LoadOrCreate(home.Path, _ => null);
        var second = KeyRing.LoadOrCreate(home.Path, _ => null);

        Assert.Equal(first.Pseudonymizer.HouseholdKey("H1"), second.Pseudonymizer.HouseholdKey("H1"));
        Assert.Equal("김영희", second.Vault.Open(first.Vault.Seal("김영희")));
    }

    [Fact]
    public void Keys_from_the_environment_win_over_key_files()
    {
        using var home = new TempFolder();
        var fromFiles = KeyRing.LoadOrCreate(home.Path, _ => null);
        var environment = new Dictionary<string, string>
        {
            [KeyRing.PseudonymKeyVariable] = Convert.ToBase64String(new byte[32]),
            [KeyRing.IdentityKeyVariable] = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()),
        };

        var fromEnvironment = KeyRing.LoadOrCreate(home.Path, name => environment.GetValueOrDefault(name));

        Assert.NotEqual(fromFiles.Pseudonymizer.HouseholdKey("H1"), fromEnvironment.Pseudonymizer.HouseholdKey("H1"));
        Assert.Contains(KeyRing.PseudonymKeyVariable, fromEnvironment.Location, StringComparison.Ordinal);
        Assert.Contains(KeyRing.IdentityKeyVariable, fromEnvironment.Location, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Bad_key_in_the_environment_fails_clearly_without_showing_it(string value)
    {
        using var home = new TempFolder();

        var exception = Assert.Throws<InvalidOperationException>(
            () => KeyRing.LoadOrCreate(home.Path, name => name == KeyRing.IdentityKeyVariable ? value : null));

        Assert.Contains(KeyRing.IdentityKeyVariable, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Processes_creating_keys_at_once_agree_on_them()
    {
        // Many rounds: a lost race is rare in any one of them.
        for (var round = 0; round < 25; round++)
        {
            using var home = new TempFolder();

            var rings = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => KeyRing.LoadOrCreate(home.Path, _ => null))));

            Assert.Single(rings.Select(r => r.Pseudonymizer.HouseholdKey("H1")).Distinct());
            Assert.Empty(Directory.EnumerateFiles(home.Combine("keys"), "*.tmp"));
        }
    }
}
