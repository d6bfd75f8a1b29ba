using System.Text;
using RiskWatch.Detector.Cli;
using RiskWatch.Ingest.Store;

// Korean reasons and names must reach terminals and pipes intact.
Console.OutputEncoding = Encoding.UTF8;

// Before anything opens a store: SQLite takes its threading mode only then.
SqliteProcess.Configure();
return await CliApp.RunAsync(args);
