using System.CommandLine;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Synthetic;

namespace RiskWatch.Detector.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var district = new DistrictOptionsBinding(defaultMultiplier: 1.0);
        var output = new Option<string>("--out") { Description = "Inbox folder to write the feed files into", Required = true };
        var end = CommonOptions.OptionalDate("--end", "Last day of the history (default: yesterday in Asia/Seoul)");
        var truth = new Option<string?>("--truth") { Description = "Where to write the ground truth CSV (never into the inbox)" };
        var command = new Command("generate", "Write a realistic synthetic district's feeds (SPEC formats) for demos, tests and benchmarks") { output, end, truth };
        district.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(() =>
        {
            var options = district.Read(parse, parse.GetValue(end) ?? SeoulClock.LastCompleteDay());
            var folder = parse.GetRequiredValue(output);
            var result = DistrictGenerator.Generate(options, folder, cancellationToken);
            if (parse.GetValue(truth) is { } truthPath)
            {
                result.WriteCsv(truthPath);
            }

            Console.WriteLine($"{options.Households:N0} households in {options.Dongs} dongs, {options.Days} days to {options.EndDate:yyyy-MM-dd} → {folder}");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
