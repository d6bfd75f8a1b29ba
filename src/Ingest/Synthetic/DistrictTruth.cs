using System.Globalization;
using System.Text;

namespace RiskWatch.Ingest.Synthetic;

/// <summary>The ground truth of a generated district: one entry per household, in household-id order.</summary>
public sealed record DistrictTruth(DistrictOptions Options, IReadOnlyList<HouseholdTruth> Households)
{
    /// <summary>
    /// One row per household, for humans and for debugging. Never write it into the inbox: it is the answer key
    /// (and the ingest would reject its unknown feed name anyway).
    /// </summary>
    public void WriteCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        writer.WriteLine(
            "household_id,dong_code,size,lives_alone,head_age,head_sex,housing_type,basic_livelihood,has_smart_meter," +
            "has_water_meter,phone_lines,crisis_onset,death_date,died_alone,discovered_on,trips,hospital_stays,unregistered_move_on");
        foreach (var h in Households)
        {
            writer.WriteLine(string.Join(',',
                h.HouseholdId,
                h.DongCode,
                h.Size.ToString(CultureInfo.InvariantCulture),
                Flag(h.LivesAlone),
                h.HeadAge.ToString(CultureInfo.InvariantCulture),
                h.HeadSex.ToString(),
                h.HousingType,
                Flag(h.BasicLivelihood),
                Flag(h.HasSmartMeter),
                Flag(h.HasWaterMeter),
                h.PhoneLines.ToString(CultureInfo.InvariantCulture),
                Day(h.CrisisOnset),
                Day(h.DeathDate),
                Flag(h.DiedAlone),
                Day(h.DiscoveredOn),
                Ranges(h.Trips),
                Ranges(h.HospitalStays),
                Day(h.UnregisteredMoveOn)));
        }
    }

    private static string Flag(bool value) => value ? "1" : "0";

    private static string Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    // Ranges joined with ';' so the cell needs no CSV quoting.
    private static string Ranges(IReadOnlyList<DateRange> ranges) => string.Join(';', ranges.Select(r =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Start:yyyy-MM-dd}..{r.End:yyyy-MM-dd}")));
}
