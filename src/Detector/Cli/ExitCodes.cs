namespace RiskWatch.Detector.Cli;

/// <summary>SPEC "Command line": 0 success, 1 the work failed, 2 bad arguments.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int WorkFailed = 1;
    public const int BadArguments = 2;
}
