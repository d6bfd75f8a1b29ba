using System.Security.Cryptography;
using RiskWatch.Detector.Accounts;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Demo;

/// <summary>
/// The demo's sign-ins: an officer of the first dong, an analyst and an admin, sharing one random password kept in
/// {home}/demo-accounts.txt (readable by the owner only) so a second demo run prints the same credentials.
/// </summary>
internal static class DemoAccounts
{
    public const string Officer = "demo-officer";
    public const string Analyst = "demo-analyst";
    public const string Admin = "demo-admin";

    public static async Task<(string Password, string OfficerDong)> EnsureAsync(string home, RiskStore store, CancellationToken cancellationToken)
    {
        var file = Path.Combine(home, "demo-accounts.txt");
        string password;
        if (File.Exists(file))
        {
            password = (await File.ReadAllLinesAsync(file, cancellationToken)).First(l => l.StartsWith("password=", StringComparison.Ordinal))["password=".Length..];
        }
        else
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
            await File.WriteAllTextAsync(file, $"# RiskWatch demo accounts: {Officer}, {Analyst}, {Admin}\npassword={password}\n", cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var dongs = await new DongQueue(store).DongsAsync(cancellationToken);
        var dong = dongs.Count > 0 ? dongs[0] : "0000000000";
        var users = new UserStore(store);
        await users.AddAsync(Officer, AppUser.Officer, [dong], password, cancellationToken);
        await users.AddAsync(Analyst, AppUser.Analyst, [], password, cancellationToken);
        await users.AddAsync(Admin, AppUser.Admin, [], password, cancellationToken);
        return (password, dong);
    }
}
