using Dapper;
using RiskWatch.Detector.Accounts;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests.Web;

/// <summary>The rules behind the pages: accounts, the versioned policy the nightly pass stamps, and the case workflow.</summary>
public sealed class WorkflowTests(DistrictFixture district)
{
    [Fact]
    public async Task Users_add_reads_the_password_from_standard_input_and_stores_only_a_hash()
    {
        var (home, store) = await EmptyHomeAsync();
        using (store)
        {
            var dong = district.Truth.Households[0].DongCode;
            var added = await CliProcess.RunWithInputAsync(home, "s3cret-password\n", "users", "add", "choi", "--role", "officer", "--dong", dong);
            Assert.True(added.ExitCode == 0, added.Error);
            var users = new UserStore(store);
            var choi = await users.VerifyAsync("choi", "s3cret-password", TestContext.Current.CancellationToken);
            Assert.NotNull(choi);
            Assert.Equal([dong], choi.Dongs);
            Assert.Null(await users.VerifyAsync("choi", "wrong-password", TestContext.Current.CancellationToken));
            await using var connection = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);
            var hash = await connection.ExecuteScalarAsync<string>("SELECT password_hash FROM app_user WHERE user_name = 'choi'");
            Assert.DoesNotContain("s3cret", hash, StringComparison.Ordinal);

            var noDong = await CliProcess.RunWithInputAsync(home, "s3cret-password\n", "users", "add", "han", "--role", "officer");
            Assert.Equal(2, noDong.ExitCode);
            var badRole = await CliProcess.RunWithInputAsync(home, "s3cret-password\n", "users", "add", "han", "--role", "boss");
            Assert.Equal(2, badRole.ExitCode);
        }
    }

    [Fact]
    public async Task Policy_versions_only_grow_and_a_rollback_saves_the_earlier_content_again()
    {
        var (_, store) = await EmptyHomeAsync();
        using (store)
        {
            var policies = new PolicyStore(store);
            var ct = TestContext.Current.CancellationToken;
            Assert.Null(await policies.CurrentAsync(ct));
            var perDong = new ThresholdPolicy
            {
                CrisisThreshold = 0.25,
                CapacityByDong = new Dictionary<string, int> { ["2826051000"] = 8 },
                ThresholdsByDong = new Dictionary<string, DongThresholds> { ["2826051000"] = new(0.2, 0.15) },
            };
            var first = await policies.SaveAsync(perDong, "park", "more crises", null, ct);
            Assert.Equal(perDong.Version, (await policies.CurrentAsync(ct))!.Policy.Version);
            var second = await policies.SaveAsync(new ThresholdPolicy { CrisisThreshold = 0.45 }, "park", "too many", null, ct);
            await Assert.ThrowsAsync<ArgumentException>(() => policies.SaveAsync(new ThresholdPolicy(), "park", " ", null, ct));
            await Assert.ThrowsAsync<ArgumentException>(() => policies.SaveAsync(new ThresholdPolicy { CrisisThreshold = 1.5 }, "park", "typo", null, ct));

            var back = await policies.RollBackAsync(first.VersionNo, "kang", "back to v1", ct);
            Assert.Equal(3, back.VersionNo);
            Assert.Equal(first.Policy.Version, back.Policy.Version);
            Assert.Equal(first.VersionNo, back.RolledBackFrom);
            var history = await policies.HistoryAsync(ct);
            Assert.Equal([3L, 2L, 1L], history.Select(v => v.VersionNo));
            Assert.Equal(["kang", "park", "park"], history.Select(v => v.SavedBy));
            Assert.Equal(0.45, history[1].Policy.CrisisThreshold);
            Assert.Equal(second.Stamp, history[1].Stamp);
        }
    }

    [Fact]
    public async Task Nightly_stamps_cases_with_the_stores_policy_version_and_its_capacity_per_dong()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            var dongs = district.Truth.Households.Select(h => h.DongCode).Distinct().Order(StringComparer.Ordinal).ToList();
            var policy = new ThresholdPolicy
            {
                CrisisThreshold = 0.05,
                LonelyDeathThreshold = 0.05,
                DailyCapacityPerDong = 2,
                CapacityByDong = new Dictionary<string, int> { [dongs[0]] = 0 },
            };
            var saved = await new PolicyStore(store).SaveAsync(policy, "park", "small teams", null, ct);

            // The pass is given the defaults, as the host is: the store's saved version must win.
            var night = await DistrictFixture.NewPass(store, home).RunAsync(DistrictFixture.RunDate, ct);
            Assert.Equal(saved.Stamp, night.PolicyVersion);

            await using var connection = await store.OpenConnectionAsync(ct);
            var stamps = (await connection.QueryAsync<string>("SELECT DISTINCT policy_version FROM risk_case")).ToList();
            Assert.Equal([saved.Stamp], stamps);
            Assert.Equal(saved.Stamp, await connection.ExecuteScalarAsync<string>("SELECT policy_version FROM nightly_run"));
            var normalByDong = (await connection.QueryAsync<(string Dong, long Count)>(
                    "SELECT dong_code, COUNT(*) FROM risk_case WHERE lane = 'model' GROUP BY dong_code"))
                .ToDictionary(r => r.Dong, r => r.Count);
            Assert.False(normalByDong.ContainsKey(dongs[0]));
            Assert.All(dongs.Skip(1), d => Assert.Equal(2, normalByDong.GetValueOrDefault(d)));
        }
    }

    [Fact]
    public async Task Closing_needs_an_outcome_and_the_outcome_becomes_an_officer_label()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            await DistrictFixture.NewPass(store, home).RunAsync(DistrictFixture.RunDate, ct);
            await using var connection = await store.OpenConnectionAsync(ct);
            var caseId = await connection.ExecuteScalarAsync<string>("SELECT MIN(case_id) FROM risk_case");
            var cases = new CaseFile(store);

            await Assert.ThrowsAsync<ArgumentException>(() =>
                cases.RecordOutcomeAsync(caseId!, DistrictFixture.RunDate, null, null, close: true, "kim", ct));
            await cases.AssignAsync(caseId!, "lee", "kim", ct);
            Assert.Equal("assigned", (await cases.FindAsync(caseId!, ct))!.Status);
            await cases.RecordOutcomeAsync(caseId!, DistrictFixture.RunDate, "crisis_confirmed", "긴급복지", close: true, "lee", ct);

            var closed = await cases.FindAsync(caseId!, ct);
            Assert.Equal(("closed", "crisis_confirmed", "2026-11-22"), (closed!.Status, closed.Outcome, closed.ClosedOn));
            var label = await connection.QuerySingleAsync<(string Outcome, string Origin)>(
                "SELECT outcome, origin FROM outcome WHERE household_no = @no AND origin = 'officer'", new { no = closed.HouseholdNo });
            Assert.Equal(("crisis_confirmed", "officer"), label);
            Assert.Equal(["assigned", "visited", "closed"], (await cases.EventsAsync(caseId!, ct)).Select(e => e.Kind));
            await Assert.ThrowsAsync<InvalidOperationException>(() => cases.AssignAsync(caseId!, "lee", "kim", ct));
        }
    }

    [Fact]
    public void What_if_keeps_each_dong_within_its_capacity_and_measures_the_overlap()
    {
        WhatIfHousehold H(string key, string dong, double crisis) => new(key, dong, crisis, 0);
        var households = new[] { H("a", "1", 0.9), H("b", "1", 0.5), H("c", "1", 0.35), H("d", "2", 0.32), H("e", "2", 0.1) };
        var live = WhatIf.Select(households, new ThresholdPolicy { CrisisThreshold = 0.3, DailyCapacityPerDong = 2 }, out var liveAbove);
        var proposed = WhatIf.Select(households, new ThresholdPolicy { CrisisThreshold = 0.05, DailyCapacityPerDong = 2 }, out var proposedAbove);
        Assert.Equal(["a", "b", "d"], live.Select(h => h.HouseholdKey));
        Assert.Equal(["a", "b", "d", "e"], proposed.Select(h => h.HouseholdKey));
        Assert.Equal((4, 5), (liveAbove, proposedAbove));

        // Dong 2's team sets its own crisis threshold; dong 1 keeps the district's.
        var ownDong = new ThresholdPolicy
        {
            CrisisThreshold = 0.3,
            DailyCapacityPerDong = 2,
            ThresholdsByDong = new Dictionary<string, DongThresholds> { ["2"] = new(0.05, 0.2) },
        };
        Assert.Equal(["a", "b", "d", "e"], WhatIf.Select(households, ownDong, out _).Select(h => h.HouseholdKey));
        Assert.Equal(0.05, ownDong.ForDong("2").CrisisThreshold);
        Assert.Equal(0.3, ownDong.ForDong("1").CrisisThreshold);
        Assert.NotEqual(new ThresholdPolicy { CrisisThreshold = 0.3, DailyCapacityPerDong = 2 }.Version, ownDong.Version);
    }

    /// <summary>A new home with an empty store, for tests about accounts and policies that need no district.</summary>
    private static async Task<(string Home, RiskStore Store)> EmptyHomeAsync()
    {
        var home = TestPaths.NewTempDirectory();
        return (home, await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(home, "riskwatch.db")), CancellationToken.None));
    }
}
