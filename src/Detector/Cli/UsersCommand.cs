using System.CommandLine;
using RiskWatch.Detector.Accounts;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

/// <summary>`riskwatch users add NAME --role officer|analyst|admin [--dong CODE…]`; the password comes from standard input.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Sign-in name" };
        var role = new Option<string>("--role") { Description = "officer, analyst or admin", Required = true };
        role.AcceptOnlyFromAmong(AppUser.Officer, AppUser.Analyst, AppUser.Admin);
        var dong = new Option<string[]>("--dong") { Description = "Dong codes an officer works for", AllowMultipleArgumentsPerToken = true };
        var add = new Command("add", "Create or update a local account; the password is read from standard input") { name, role, dong };
        add.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            // One line from standard input, so `echo "$PW" | riskwatch users add …` and an interactive prompt both work,
            // and the password never appears in the process list or shell history.
            var password = (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r') ?? "";
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            var user = await new UserStore(context.Store).AddAsync(
                parse.GetRequiredValue(name), parse.GetRequiredValue(role), parse.GetValue(dong) ?? [], password, cancellationToken);
            context.Logger.Information("Account {UserId} saved with role {Role} for {DongCount} dongs", user.UserId, user.Role, user.Dongs.Count);
            Console.WriteLine($"{user.Name}: {user.Role}{(user.Dongs.Count > 0 ? " — " + string.Join(' ', user.Dongs) : "")}");
            return ExitCodes.Success;
        }));
        return new Command("users", "Local accounts of the web application") { add };
    }
}
