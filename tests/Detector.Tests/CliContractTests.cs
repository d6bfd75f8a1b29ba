using System.Text.Json;
using Dapper;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>The command-line contract of SPEC, through the real executable.</summary>
public sealed class CliContractTests(DistrictFixture district)
{
    private static readonly string[] QueueFields =
    [
        "case_id", "household_key", "dong_code", "flagged_on", "priority", "lane", "crisis_score", "lonely_death_score",
        "reasons", "model_version", "status",
    ];

    [Fact]
    public async Task Queue_json_is_the_spec_export_highest_priority_first()
    {
        var dong = district.Truth.Households[0].DongCode;
        var result = await CliProcess.RunAsync(district.Home, "queue", "--dong", dong, "--date", "2026-11-22", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var cases = json.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        var rank = new Dictionary<string, int>(StringComparer.Ordinal) { ["urgent"] = 0, ["high"] = 1, ["normal"] = 2 };
        var previous = -1;
        foreach (var item in cases)
        {
            Assert.Equal(QueueFields, item.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(dong, item.GetProperty("dong_code").GetString());
            Assert.Equal(64, item.GetProperty("household_key").GetString()!.Length);
            Assert.Contains(item.GetProperty("lane").GetString(), new[] { "model", "flatline", "model+flatline" });
            Assert.Contains(item.GetProperty("status").GetString(), new[] { "new", "assigned", "visited", "closed" });
            Assert.InRange(item.GetProperty("crisis_score").GetDouble(), 0, 1);
            Assert.InRange(item.GetProperty("lonely_death_score").GetDouble(), 0, 1);
            var current = rank[item.GetProperty("priority").GetString()!];
            Assert.True(current >= previous, "the export is ordered by priority");
            previous = current;
        }
    }

    [Fact]
    public async Task Queue_with_identity_adds_the_visit_fields_and_is_audited_as_a_bulk_identity_view()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            await DistrictFixture.NewPass(store, home).RunAsync(DistrictFixture.RunDate, CancellationToken.None);
        }

        var dong = district.Truth.Households[0].DongCode;
        var result = await CliProcess.RunAsync(home, "queue", "--dong", dong, "--date", "2026-11-22", "--format", "json", "--with-identity");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var first = json.RootElement.EnumerateArray().First();
        Assert.Equal([.. QueueFields, "household_id", "name", "address", "phone"], first.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.StartsWith("H", first.GetProperty("household_id").GetString(), StringComparison.Ordinal);

        using var reopened = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(home, "riskwatch.db")), CancellationToken.None);
        await using var connection = await reopened.OpenConnectionAsync(CancellationToken.None);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'bulk_identity_view'"));
    }

    [Fact]
    public async Task Ingest_of_the_bad_samples_reports_exactly_what_spec_says()
    {
        var home = TestPaths.NewTempDirectory();
        var result = await CliProcess.RunAsync(home, "ingest", "--inbox", Path.Combine(TestPaths.Samples, "bad"), "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var files = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("file").GetString()!, e => e);

        var arrears = files["arrears_20261025.csv"];
        Assert.Equal("arrears", arrears.GetProperty("feed").GetString());
        Assert.Equal("2026-10-25", arrears.GetProperty("date").GetString());
        Assert.Equal("loaded", arrears.GetProperty("status").GetString());
        Assert.Equal(1, arrears.GetProperty("rows_loaded").GetInt32());
        Assert.Equal(5, arrears.GetProperty("rows_quarantined").GetInt32());

        var usage = files["usage_electricity_20261025.csv"];
        Assert.Equal("rejected", usage.GetProperty("status").GetString());
        Assert.Equal(0, usage.GetProperty("rows_loaded").GetInt32());
        Assert.Contains("kwh", usage.GetProperty("error").GetString(), StringComparison.Ordinal);

        var quarantine = await CliProcess.RunAsync(home, "quarantine", "--file", "arrears_20261025.csv", "--json");
        Assert.Equal(0, quarantine.ExitCode);
        using var rows = JsonDocument.Parse(quarantine.Out);
        var lines = rows.RootElement.EnumerateArray().Select(r => r.GetProperty("line").GetInt32()).Distinct().Order().ToArray();
        Assert.Equal([3, 4, 5, 6, 7], lines);
        Assert.All(rows.RootElement.EnumerateArray(), r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
        Assert.DoesNotContain("6006211207238", quarantine.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("queue", "--dong", "123", "--date", "2026-11-22")]
    [InlineData("queue", "--dong", "2824551000", "--date", "2026-13-01")]
    [InlineData("nightly")]
    [InlineData("no-such-command")]
    public async Task Bad_arguments_exit_2_with_one_line_on_standard_error(params string[] args)
    {
        var result = await CliProcess.RunAsync(TestPaths.NewTempDirectory(), args);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.NotEmpty(result.Error.Trim());
    }

    [Fact]
    public async Task Nightly_without_a_model_fails_with_exit_1_and_a_clear_error()
    {
        var result = await CliProcess.RunAsync(TestPaths.NewTempDirectory(), "nightly", "--date", "2026-11-22");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("riskwatch train", result.Error, StringComparison.Ordinal);
    }
}
