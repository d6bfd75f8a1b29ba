using System.Globalization;
using System.Text;
using RiskWatch.Ingest.Synthetic;

namespace RiskWatch.Ingest.Tests.Synthetic;

public sealed class DistrictGeneratorTests(GeneratedDistrict district) : IClassFixture<GeneratedDistrict>
{
    // Written out here rather than taken from the generator, so a drift from SPEC.md fails the test.
    private static readonly Dictionary<string, string> SpecHeaders = new(StringComparer.Ordinal)
    {
        ["residents"] = "rrn,household_id,name,birth_date,sex,dong_code,address,phone,household_size,relation,housing_type,status,status_date",
        ["welfare"] = "rrn,event,event_date",
        ["arrears"] = "source,rrn,billing_month,amount_krw,months_overdue,action,reported_on",
        ["usage_electricity"] = "household_id,date,kwh,active_hours,quality",
        ["usage_water"] = "household_id,date,liters,quality",
        ["usage_telecom"] = "rrn,date,calls_out,calls_in,sms_out,data_mb",
        ["reports"] = "report_id,household_id,channel,reported_at,note",
        ["outcomes"] = "household_id,visited_on,outcome,discovered_after_days",
    };

    private static readonly string[] DailyFeeds = ["usage_electricity", "usage_water", "usage_telecom"];

    [Fact]
    public void Every_file_has_exactly_the_spec_header_for_its_feed()
    {
        foreach (var path in Directory.EnumerateFiles(district.Inbox))
        {
            var name = Path.GetFileName(path);
            var feed = name[..name.LastIndexOf('_')];
            Assert.True(SpecHeaders.ContainsKey(feed), $"unexpected file {name}");
            var bytes = File.ReadAllBytes(path);
            Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), $"{name} has a BOM");
            Assert.True(bytes.AsSpan().IndexOf((byte)'\r') < 0, $"{name} has a \\r");
            Assert.Equal((byte)'\n', bytes[^1]);
            var firstLine = bytes.AsSpan(0, bytes.AsSpan().IndexOf((byte)'\n'));
            Assert.Equal(SpecHeaders[feed], Encoding.UTF8.GetString(firstLine));
        }
    }

    [Fact]
    public void Usage_files_exist_for_every_day_and_no_file_is_dated_outside_the_window()
    {
        var start = district.Options.StartDate;
        foreach (var path in Directory.EnumerateFiles(district.Inbox))
        {
            var date = GeneratedDistrict.DateOfFile(path);
            Assert.InRange(date, start, GeneratedDistrict.EndDate);
        }

        foreach (var feed in DailyFeeds)
        {
            Assert.Equal(district.Options.Days, district.FilesOf(feed).Count());
        }

        // Rows carry the date of their file.
        var lastDay = GeneratedDistrict.EndDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.All(GeneratedDistrict.Rows(district.FileOf("usage_electricity", GeneratedDistrict.EndDate)), r => Assert.Equal(lastDay, r["date"]));
    }

    [Fact]
    public void Household_mix_matches_Korean_proportions()
    {
        var sizes = district.Residents.GroupBy(r => r["household_id"], StringComparer.Ordinal).Select(g => g.Count()).ToArray();
        Assert.Equal(district.Options.Households, sizes.Length);
        Assert.InRange(sizes.Count(s => s == 1) / (double)sizes.Length, 0.30, 0.40);
        Assert.InRange(sizes.Average(), 2.0, 2.4);

        var truth = district.Truth.Households;
        Assert.InRange(truth.Count(h => h.LivesAlone && h.HeadAge >= 65) / (double)truth.Count, 0.07, 0.13);
        Assert.InRange(truth.Count(h => h.BasicLivelihood) / (double)truth.Count, 0.02, 0.09);
        Assert.InRange(truth.Count(h => h.HousingType == "apartment") / (double)truth.Count, 0.4, 0.65);
        Assert.InRange(truth.Count(h => h.HasWaterMeter) / (double)truth.Count, 0.2, 0.4);
        Assert.InRange(truth.Count(h => !h.HasSmartMeter) / (double)truth.Count, 0.02, 0.07);
    }

    [Fact]
    public void About_two_percent_of_households_are_two_or_more_months_in_arrears()
    {
        var householdOf = district.Residents.ToDictionary(r => r["rrn"], r => r["household_id"], StringComparer.Ordinal);
        var latest = new Dictionary<(string Rrn, string Source), int>();
        foreach (var path in district.FilesOf("arrears"))
        {
            foreach (var row in GeneratedDistrict.Rows(path))
            {
                latest[(row["rrn"], row["source"])] = int.Parse(row["months_overdue"], CultureInfo.InvariantCulture);
            }
        }

        var behind = latest.Where(a => a.Value >= 2).Select(a => householdOf[a.Key.Rrn]).Distinct(StringComparer.Ordinal).Count();
        Assert.InRange(behind / (double)district.Options.Households, 0.01, 0.035);
    }

    [Fact]
    public void After_a_lone_death_the_home_is_dark_and_the_phone_makes_no_outgoing_calls()
    {
        var dead = district.Truth.Households.Where(h => h.LivesAlone && h.DeathDate is not null).ToArray();
        Assert.Contains(dead, h => h.DiedAlone);
        var deathOf = dead.ToDictionary(h => h.HouseholdId, h => h.DeathDate!.Value, StringComparer.Ordinal);
        var rrnDeath = district.Residents
            .Where(r => deathOf.ContainsKey(r["household_id"]))
            .ToDictionary(r => r["rrn"], r => deathOf[r["household_id"]], StringComparer.Ordinal);

        var electricityRows = 0;
        var telecomRows = 0;
        foreach (var path in district.FilesOf("usage_electricity"))
        {
            var date = GeneratedDistrict.DateOfFile(path);
            foreach (var row in GeneratedDistrict.Columns(path, "household_id", "kwh", "active_hours", "quality"))
            {
                if (deathOf.TryGetValue(row[0], out var death) && date > death && row[3] != "missing")
                {
                    electricityRows++;
                    Assert.Equal("0", row[2]);
                    Assert.InRange(double.Parse(row[1], CultureInfo.InvariantCulture), 0.0, 2.5);
                }
            }
        }

        foreach (var path in district.FilesOf("usage_telecom"))
        {
            var date = GeneratedDistrict.DateOfFile(path);
            foreach (var row in GeneratedDistrict.Columns(path, "rrn", "calls_out", "sms_out", "data_mb"))
            {
                if (rrnDeath.TryGetValue(row[0], out var death) && date > death)
                {
                    telecomRows++;
                    Assert.Equal(("0", "0"), (row[1], row[2]));
                    Assert.InRange(double.Parse(row[3], CultureInfo.InvariantCulture), 0.0, 3.0);
                }
            }
        }

        Assert.True(electricityRows > 0 && telecomRows > 0, "the district should hold days after a death");
    }

    [Fact]
    public void Trips_keep_outgoing_telecom_while_the_home_is_dark()
    {
        var tripDays = new Dictionary<string, List<DateRange>>(StringComparer.Ordinal);
        foreach (var h in district.Truth.Households.Where(h => h.Trips.Count > 0))
        {
            tripDays[h.HouseholdId] = [.. h.Trips];
        }

        Assert.NotEmpty(tripDays);
        var subscribersOf = district.Residents.ToDictionary(r => r["rrn"], r => r["household_id"], StringComparer.Ordinal);
        var checkedDays = 0;
        foreach (var path in district.FilesOf("usage_telecom"))
        {
            var date = GeneratedDistrict.DateOfFile(path);
            foreach (var row in GeneratedDistrict.Columns(path, "rrn", "calls_out", "sms_out"))
            {
                if (tripDays.TryGetValue(subscribersOf[row[0]], out var trips) && trips.Any(t => t.Contains(date)))
                {
                    checkedDays++;
                    var outgoing = int.Parse(row[1], CultureInfo.InvariantCulture) + int.Parse(row[2], CultureInfo.InvariantCulture);
                    Assert.True(outgoing > 0, $"a traveller's phone was silent on {date:yyyy-MM-dd}");
                }
            }
        }

        foreach (var path in district.FilesOf("usage_electricity").Take(30))
        {
            var date = GeneratedDistrict.DateOfFile(path);
            foreach (var row in GeneratedDistrict.Columns(path, "household_id", "active_hours", "quality"))
            {
                if (row[2] == "measured" && tripDays.TryGetValue(row[0], out var trips) && trips.Any(t => t.Contains(date)))
                {
                    Assert.Equal("0", row[1]);
                }
            }
        }

        Assert.True(checkedDays > 100);
    }

    [Fact]
    public void No_household_lacks_both_a_smart_meter_and_a_phone()
    {
        Assert.DoesNotContain(district.Truth.Households, h => !h.HasSmartMeter && h.PhoneLines == 0);

        // And from the files: a household whose meter never reads has someone in the telecom feed.
        var subscribers = GeneratedDistrict.Rows(district.FileOf("usage_telecom", district.Options.StartDate))
            .Select(r => r["rrn"]).ToHashSet(StringComparer.Ordinal);
        var withPhone = district.Residents.Where(r => subscribers.Contains(r["rrn"])).Select(r => r["household_id"]).ToHashSet(StringComparer.Ordinal);
        var unmetered = district.Truth.Households.Where(h => !h.HasSmartMeter).Select(h => h.HouseholdId).ToArray();
        Assert.NotEmpty(unmetered);
        Assert.All(unmetered, id => Assert.Contains(id, withPhone));
        var firstDay = GeneratedDistrict.Rows(district.FileOf("usage_electricity", district.Options.StartDate))
            .ToDictionary(r => r["household_id"], StringComparer.Ordinal);
        Assert.All(unmetered, id => Assert.Equal(("", "", "missing"), (firstDay[id]["kwh"], firstDay[id]["active_hours"], firstDay[id]["quality"])));
    }

    [Fact]
    public void Some_lonely_deaths_are_still_undiscovered_at_EndDate()
    {
        var undiscovered = district.Truth.Households
            .Where(h => h.DiedAlone && h.DiscoveredOn is null && h.DeathDate <= GeneratedDistrict.EndDate.AddDays(-3))
            .ToDictionary(h => h.HouseholdId, h => h.DeathDate!.Value, StringComparer.Ordinal);
        Assert.NotEmpty(undiscovered);

        // Nothing in the files gives them away: no registry change, no visit after the death.
        foreach (var path in district.FilesOf("residents").Skip(1))
        {
            Assert.DoesNotContain(GeneratedDistrict.Rows(path), r => undiscovered.ContainsKey(r["household_id"]));
        }

        foreach (var path in district.FilesOf("outcomes"))
        {
            Assert.DoesNotContain(GeneratedDistrict.Rows(path), r => undiscovered.TryGetValue(r["household_id"], out var death)
                && DateOnly.ParseExact(r["visited_on"], "yyyy-MM-dd", CultureInfo.InvariantCulture) > death);
        }
    }

    [Fact]
    public void A_discovered_lonely_death_is_registered_on_its_discovery_day_with_the_death_date()
    {
        var found = district.Truth.Households.Where(h => h.DiedAlone && h.DiscoveredOn is not null).ToArray();
        Assert.NotEmpty(found);
        foreach (var h in found)
        {
            var change = GeneratedDistrict.Rows(district.FileOf("residents", h.DiscoveredOn!.Value))
                .Single(r => r["household_id"] == h.HouseholdId);
            Assert.Equal("deceased", change["status"]);
            Assert.Equal(h.DeathDate!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), change["status_date"]);
        }

        var outcomes = district.FilesOf("outcomes").SelectMany(GeneratedDistrict.Rows).Where(r => r["outcome"] == "died_alone").ToArray();
        Assert.NotEmpty(outcomes);
        foreach (var row in outcomes)
        {
            var h = found.Single(f => f.HouseholdId == row["household_id"]);
            var after = h.DiscoveredOn!.Value.DayNumber - h.DeathDate!.Value.DayNumber;
            Assert.Equal(after.ToString(CultureInfo.InvariantCulture), row["discovered_after_days"]);
        }
    }

    [Fact]
    public void Lonely_deaths_are_mostly_men_and_mostly_in_their_fifties_and_sixties()
    {
        var lonely = district.Truth.Households.Where(h => h.DiedAlone).ToArray();
        Assert.True(lonely.Length >= 20, $"only {lonely.Length} lonely deaths");
        Assert.InRange(lonely.Count(h => h.HeadSex == 'M') / (double)lonely.Length, 0.65, 0.95);
        Assert.InRange(lonely.Count(h => h.HeadAge is >= 50 and < 70) / (double)lonely.Length, 0.35, 0.85);
    }

    [Fact]
    public void Resident_registration_numbers_are_valid_and_unique()
    {
        var rrns = district.Residents.Select(r => r["rrn"]).ToArray();
        Assert.Equal(rrns.Length, rrns.Distinct(StringComparer.Ordinal).Count());
        foreach (var row in district.Residents)
        {
            var rrn = row["rrn"];
            Assert.Equal(13, rrn.Length);
            Assert.True(rrn.All(char.IsAsciiDigit));
            var birth = DateOnly.ParseExact(row["birth_date"], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Equal(birth.ToString("yyMMdd", CultureInfo.InvariantCulture), rrn[..6]);
            var expected = (birth.Year >= 2000 ? 3 : 1) + (row["sex"] == "M" ? 0 : 1);
            Assert.Equal((char)('0' + expected), rrn[6]);
            Assert.Matches("^H[0-9]{8}$", row["household_id"]);
            Assert.Matches("^[0-9]{10}$", row["dong_code"]);
            Assert.StartsWith(district.Options.DistrictCode, row["dong_code"], StringComparison.Ordinal);
            Assert.StartsWith(district.Options.DistrictName + " ", row["address"], StringComparison.Ordinal);
            Assert.Matches("^(010-[0-9]{4}-[0-9]{4})?$", row["phone"]);
        }
    }

    [Fact]
    public void Electricity_rows_are_mostly_measured_with_some_estimated_and_missing()
    {
        var rows = GeneratedDistrict.Rows(district.FileOf("usage_electricity", GeneratedDistrict.EndDate.AddDays(-10)));
        Assert.Equal(district.Options.Households, rows.Count);
        var measured = rows.Where(r => r["quality"] == "measured").ToArray();
        Assert.InRange(measured.Length / (double)rows.Count, 0.9, 0.98);
        Assert.Contains(rows, r => r["quality"] == "estimated");
        Assert.All(rows.Where(r => r["quality"] == "missing"), r => Assert.Equal(("", ""), (r["kwh"], r["active_hours"])));
        Assert.All(measured, r => Assert.Matches("^[0-9]+\\.[0-9]{3}$", r["kwh"]));
        var monthly = measured.Average(r => double.Parse(r["kwh"], CultureInfo.InvariantCulture)) * 30.4;
        Assert.InRange(monthly, 180, 360);
    }

    [Fact]
    public void About_half_of_the_visits_end_supported()
    {
        var visits = district.FilesOf("outcomes").SelectMany(GeneratedDistrict.Rows).Where(r => r["outcome"] != "died_alone").ToArray();
        Assert.True(visits.Length > 100);
        Assert.InRange(visits.Count(v => v["outcome"] == "supported") / (double)visits.Length, 0.35, 0.6);
    }
}
