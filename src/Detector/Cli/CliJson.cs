using System.Text.Encodings.Web;
using System.Text.Json;

namespace RiskWatch.Detector.Cli;

/// <summary>The JSON the CLI prints: snake_case as SPEC names the fields, Korean left readable.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
