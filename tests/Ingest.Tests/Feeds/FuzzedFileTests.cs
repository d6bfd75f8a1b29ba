using System.Globalization;
using System.Text;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Feeds;

/// <summary>
/// Hundreds of usage files damaged by a seeded mutator — truncated, bad UTF-8, wrong types, huge fields, stray quotes,
/// duplicate keys, dates and numbers out of range, extra fields, BOM and CRLF — ingested in one run. Nothing crashes,
/// every untouched row lands with its value, every damaged row is quarantined with a reason, and the counts add up.
/// </summary>
public abstract class FuzzedFileTests
{
    private const int Files = 300;
    private const int RowsPerFile = 12;
    private const string Header = "household_id,date,kwh,active_hours,quality";

    [Fact]
    public async Task Mutated_files_keep_every_good_row_and_quarantine_every_bad_one()
    {
        using var harness = await IngestHarness.CreateAsync(Locate);
        var random = new Random(20261123);
        var plans = new List<FilePlan>();
        for (var i = 0; i < Files; i++)
        {
            var plan = Plan(random, new DateOnly(2025, 1, 1).AddDays(i));
            File.WriteAllBytes(Path.Combine(harness.Inbox, plan.FileName), plan.Content);
            plans.Add(plan);
        }

        var results = (await harness.IngestAsync()).ToDictionary(r => r.File, StringComparer.Ordinal);

        var stored = (await harness.QueryAsync<(string Date, string Key, double? Kwh)>(
                "SELECT u.date, h.household_key, u.kwh FROM usage_electricity u JOIN household h ON h.household_no = u.household_no"))
            .ToDictionary(r => (r.Date, r.Key), r => r.Kwh);
        var quarantined = (await harness.QueryAsync<(string File, long Line, string Reason)>("SELECT file_name, line, reason FROM quarantine"))
            .ToLookup(q => q.File, StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            var result = results[plan.FileName];
            Assert.Equal(("loaded", plan.FileName), (result.Status, result.File));
            Assert.Equal(plan.Records, result.RowsLoaded + result.RowsQuarantined);
            foreach (var good in plan.Good)
            {
                var key = (plan.Date, harness.Keys.Pseudonymizer.HouseholdKey(good.HouseholdId));
                Assert.True(stored.TryGetValue(key, out var kwh), $"{plan.FileName}: the good row of line {good.Line} did not land");
                Assert.Equal(good.Kwh, kwh);
            }

            var reasons = quarantined[plan.FileName].ToDictionary(q => q.Line, q => q.Reason);
            foreach (var bad in plan.BadLines)
            {
                Assert.True(reasons.TryGetValue(bad.Line, out var reason), $"{plan.FileName}: line {bad.Line} ({bad.Mutation}) was not quarantined");
                Assert.False(string.IsNullOrWhiteSpace(reason));
                Assert.True(reason.Length < 300, $"{plan.FileName}: the reason for line {bad.Line} is not short");
            }
        }

        Assert.Equal(results.Values.Sum(r => r.RowsLoaded), stored.Count);
    }

    private protected abstract StoreLocation Locate(string folder);

    private static FilePlan Plan(Random random, DateOnly date)
    {
        var dateText = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var crlf = random.Next(4) == 0;
        var newline = crlf ? "\r\n" : "\n";
        var lines = new List<byte[]> { Encoding.UTF8.GetBytes(Header) };
        var good = new List<GoodRow>();
        var bad = new List<BadLine>();
        string? lastGoodHousehold = null;
        for (var r = 0; r < RowsPerFile; r++)
        {
            var line = r + 2;
            var household = "H" + r.ToString(CultureInfo.InvariantCulture);
            var kwh = Math.Round(random.NextDouble() * 20, 3);
            var kwhText = kwh.ToString("0.###", CultureInfo.InvariantCulture);
            var hours = random.Next(0, 25).ToString(CultureInfo.InvariantCulture);
            var mutation = random.Next(3) == 0 ? (Mutation)random.Next(1, 10) : Mutation.None;
            if (mutation == Mutation.DuplicateKey && lastGoodHousehold is null)
            {
                mutation = Mutation.None;
            }

            byte[] bytes = mutation switch
            {
                Mutation.None => Utf8($"{household},{dateText},{kwhText},{hours},measured"),
                Mutation.BadUtf8 => [.. Utf8("H"), 0xC3, 0x28, 0xFF, .. Utf8($",{dateText},{kwhText},{hours},measured")],
                Mutation.WrongType => Utf8($"{household},{dateText},{Pick(random, "abc", "1,5", "1e3", "--1", "0x10", "NaN", "∞")},{hours},measured".Replace("1,5", "\"1,5\"", StringComparison.Ordinal)),
                Mutation.HugeField => Utf8($"{household},{dateText},{new string('9', random.Next(10_000, 300_000))},{hours},measured"),
                Mutation.StrayQuote => Utf8($"{household},{dateText},1\"{kwhText},{hours},measured"),
                Mutation.DuplicateKey => Utf8($"{lastGoodHousehold},{dateText},{kwhText},{hours},measured"),
                Mutation.DateOutOfRange => Utf8($"{household},{Pick(random, "2025-13-01", "2025-02-30", "0000-01-01", "2025-1-1", "20250101", "")},{kwhText},{hours},measured"),
                Mutation.NumberOutOfRange => Utf8($"{household},{dateText},{Pick(random, "-1", "1.2345")},{Pick(random, "25", "-1", "3.5")},measured"),
                Mutation.ExtraField => Utf8($"{household},{dateText},{kwhText},{hours},measured,surplus"),
                Mutation.UnknownEnum => Utf8($"{household},{dateText},{kwhText},{hours},{Pick(random, "guessed", "MEASURED", " measured", "")}"),
                _ => throw new InvalidOperationException(),
            };
            lines.Add(bytes);
            if (mutation == Mutation.None)
            {
                good.Add(new GoodRow(line, household, kwh));
                lastGoodHousehold = household;
            }
            else
            {
                bad.Add(new BadLine(line, mutation));
            }
        }

        var content = new List<byte>();
        if (random.Next(4) == 0)
        {
            content.AddRange(Encoding.UTF8.Preamble.ToArray());
        }

        var records = RowsPerFile;
        var newlineBytes = Utf8(newline);
        var truncate = random.Next(5) == 0;
        for (var i = 0; i < lines.Count; i++)
        {
            content.AddRange(lines[i]);
            if (!(truncate && i == lines.Count - 1))
            {
                content.AddRange(newlineBytes);
            }
        }

        if (truncate)
        {
            // Cut the last line somewhere inside it: the rows before it must land whatever becomes of it.
            var last = lines[^1];
            var keep = random.Next(1, last.Length);
            content.RemoveRange(content.Count - (last.Length - keep), last.Length - keep);
            var line = lines.Count;
            good.RemoveAll(g => g.Line == line);
            bad.RemoveAll(b => b.Line == line);
        }

        var fileName = $"usage_electricity_{date:yyyyMMdd}.csv";
        return new FilePlan(fileName, dateText, [.. content], records, good, bad);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Pick(Random random, params string[] values) => values[random.Next(values.Length)];

    private enum Mutation
    {
        None,
        BadUtf8,
        WrongType,
        HugeField,
        StrayQuote,
        DuplicateKey,
        DateOutOfRange,
        NumberOutOfRange,
        ExtraField,
        UnknownEnum,
    }

    private sealed record GoodRow(int Line, string HouseholdId, double Kwh);

    private sealed record BadLine(int Line, Mutation Mutation);

    private sealed record FilePlan(string FileName, string Date, byte[] Content, int Records, List<GoodRow> Good, List<BadLine> BadLines);
}

public sealed class SqliteFuzzedFileTests : FuzzedFileTests
{
    private protected override StoreLocation Locate(string folder) => SqliteLocation.In(folder);
}

public sealed class PostgresFuzzedFileTests : FuzzedFileTests
{
    private protected override StoreLocation Locate(string folder) => PostgresLocation.In(folder);
}
