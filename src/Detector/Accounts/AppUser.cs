namespace RiskWatch.Detector.Accounts;

/// <summary>A signed-in person: officers work for the dongs they are bound to, analysts tune policy, admins run the jobs.</summary>
public sealed record AppUser(long UserId, string Name, string Role, IReadOnlyList<string> Dongs)
{
    public const string Officer = "officer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> Roles = [Officer, Analyst, Admin];
}
