using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsvHelper;
using Spectre.Console;

namespace RiskWatch.Detector.Queue;

public enum QueueFormat { Json, Csv, Table }

/// <summary>Writes a dong's queue in SPEC's export shape: a JSON array, the same fields as CSV, or a table for a terminal.</summary>
internal static class QueueExport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // Korean reasons stay readable in the output rather than \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToJson(IReadOnlyList<QueueEntry> entries) => JsonSerializer.Serialize(entries, Json);

    public static void WriteCsv(IReadOnlyList<QueueEntry> entries, TextWriter writer, bool withIdentity)
    {
        string[] header = ["case_id", "household_key", "dong_code", "flagged_on", "priority", "lane", "crisis_score",
            "lonely_death_score", "reasons", "model_version", "status"];
        using var csv = CsvWriter.Create(writer, new CsvWriterOptions(), leaveOpen: true);
        csv.WriteHeader(withIdentity ? [.. header, "household_id", "name", "address", "phone"] : header);
        foreach (var e in entries)
        {
            string[] record =
            [
                e.CaseId, e.HouseholdKey, e.DongCode, e.FlaggedOn, e.Priority, e.Lane,
                e.CrisisScore.ToString("0.00", CultureInfo.InvariantCulture),
                e.LonelyDeathScore.ToString("0.00", CultureInfo.InvariantCulture),
                string.Join(" | ", e.Reasons), e.ModelVersion, e.Status,
            ];
            csv.WriteRecord(withIdentity ? [.. record, e.HouseholdId ?? "", e.Name ?? "", e.Address ?? "", e.Phone ?? ""] : record);
        }
    }

    public static Table ToTable(string dongCode, DateOnly date, IReadOnlyList<QueueEntry> entries, bool withIdentity)
    {
        var table = new Table()
            .Title($"[bold]{dongCode}[/] {date:yyyy-MM-dd} — 방문 목록 (visit list), {entries.Count}건")
            .Border(TableBorder.Rounded)
            .AddColumn("#")
            .AddColumn("우선순위 (priority)")
            .AddColumn("경로 (lane)")
            .AddColumn(new TableColumn("위기 (crisis)").RightAligned())
            .AddColumn(new TableColumn("고독사 (lonely death)").RightAligned())
            .AddColumn("사유 (reasons)")
            .AddColumn("household_key");
        if (withIdentity)
        {
            table.AddColumn("이름 · 주소 · 전화");
        }

        var rank = 0;
        foreach (var e in entries)
        {
            rank++;
            var cells = new List<string>
            {
                rank.ToString(CultureInfo.InvariantCulture),
                Grade(e.Priority),
                e.Lane,
                e.CrisisScore.ToString("0.00", CultureInfo.InvariantCulture),
                e.LonelyDeathScore.ToString("0.00", CultureInfo.InvariantCulture),
                Markup.Escape(string.Join("\n", e.Reasons)),
                e.HouseholdKey[..12],
            };
            if (withIdentity)
            {
                cells.Add(Markup.Escape($"{e.Name} · {e.Address} · {e.Phone}"));
            }

            table.AddRow(cells.ToArray());
        }

        return table;
    }

    /// <summary>The grade as officers know it from the electricity check-in service.</summary>
    public static string Grade(string priority) => priority switch
    {
        "urgent" => "[red]심각 urgent[/]",
        "high" => "[yellow]주의 high[/]",
        _ => "관심 normal",
    };
}
