using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace RiskWatch.Detector.Logging;

/// <summary>
/// Serilog for every entry point: human lines on standard error (standard output is kept for the JSON and tables that
/// scripts read) and a rolling compact-JSON file under {home}/logs. No personal data is ever logged: the code logs keys,
/// counts and dates only.
/// </summary>
internal static class LogSetup
{
    public static Serilog.Core.Logger Create(string logDirectory, LogEventLevel consoleLevel)
    {
        Directory.CreateDirectory(logDirectory);
        return new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Hangfire", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                restrictedToMinimumLevel: consoleLevel,
                standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(
                new CompactJsonFormatter(),
                Path.Combine(logDirectory, "riskwatch-.clef"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 30)
            .CreateLogger();
    }
}
