using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Logging;
using RiskWatch.Detector.Policy;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using RiskWatch.Scoring.Models;
using Serilog;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

/// <summary>What every command works with: settings, the open store, the keys, the model registry and a logger.</summary>
internal sealed class CliContext : IDisposable
{
    private readonly Serilog.Core.Logger _logger;

    private CliContext(RiskWatchSettings settings, RiskStore store, KeyRing keys, Serilog.Core.Logger logger)
    {
        _logger = logger;
        Settings = settings;
        Store = store;
        Keys = keys;
        Logger = logger;
        Models = new ModelRegistry(settings.Models);
    }

    public RiskWatchSettings Settings { get; }
    public RiskStore Store { get; }
    public KeyRing Keys { get; }
    public ModelRegistry Models { get; }
    public ILogger Logger { get; }

    public ThresholdPolicy Policy => ThresholdPolicy.Load(Settings.Home);

    public static async Task<CliContext> OpenAsync(string? db, LogEventLevel consoleLevel, CancellationToken cancellationToken)
    {
        var settings = RiskWatchSettings.Resolve(db);
        Directory.CreateDirectory(settings.Home);
        var logger = LogSetup.Create(settings.Logs, consoleLevel);
        try
        {
            var store = await RiskStore.OpenAsync(settings.Store, cancellationToken);
            return new CliContext(settings, store, KeyRing.LoadOrCreate(settings.Home), logger);
        }
        catch
        {
            logger.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        _logger.Dispose();
    }
}
