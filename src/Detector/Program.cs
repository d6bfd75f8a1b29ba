using System.Text;
using RiskWatch.Detector.Cli;

// Korean reasons and names must reach terminals and pipes intact.
Console.OutputEncoding = Encoding.UTF8;
return await CliApp.RunAsync(args);
