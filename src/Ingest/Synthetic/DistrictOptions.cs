using System.Globalization;

namespace RiskWatch.Ingest.Synthetic;

/// <summary>The size, window and seed of a synthetic district; the same options always produce byte-identical files.</summary>
public sealed record DistrictOptions
{
    /// <summary>Registered households on the first day of the window.</summary>
    public int Households { get; init; } = 20_000;

    /// <summary>Administrative dongs the households are spread over (1–49).</summary>
    public int Dongs { get; init; } = 12;

    /// <summary>Days of history, ending at <see cref="EndDate"/> inclusive.</summary>
    public int Days { get; init; } = 180;

    /// <summary>The last day of the window; nothing dated after it is written.</summary>
    public required DateOnly EndDate { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>
    /// Documented multiplier on the lonely-death hazard; 1.0 = realistic (~0.05%/year of single-person households).
    /// Tests and the demo use 20–200 to get enough cases; above 1 the generator also guarantees at least one death that is
    /// 3+ days old and still undiscovered at <see cref="EndDate"/>.
    /// </summary>
    public double LonelyDeathRiskMultiplier { get; init; } = 1.0;

    /// <summary>5-digit sigungu code; dong codes are this + 3 digits + "00" (2824551000, 2824552000, …).</summary>
    public string DistrictCode { get; init; } = "28245";

    /// <summary>Prefix of every address.</summary>
    public string DistrictName { get; init; } = "인천광역시 계양구";

    /// <summary>The first day of the window.</summary>
    public DateOnly StartDate => EndDate.AddDays(1 - Days);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Households, 1, nameof(Households));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Households, 99_999_999, nameof(Households));
        ArgumentOutOfRangeException.ThrowIfLessThan(Dongs, 1, nameof(Dongs));
        // Dong codes are 510, 520, … 990: 49 of them fit the 3-digit slot.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Dongs, DongCodes.MaxDongs, nameof(Dongs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Days, 1, nameof(Days));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Days, 3_660, nameof(Days));
        if (!double.IsFinite(LonelyDeathRiskMultiplier) || LonelyDeathRiskMultiplier < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LonelyDeathRiskMultiplier), LonelyDeathRiskMultiplier,
                "The lonely-death multiplier must be a finite number >= 0.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(DistrictName, nameof(DistrictName));
        if (DistrictCode is null || DistrictCode.Length != 5 || !DistrictCode.All(char.IsAsciiDigit))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"DistrictCode must be 5 digits, was '{DistrictCode}'."),
                nameof(DistrictCode));
        }

        if (DistrictName.Contains('"', StringComparison.Ordinal) || DistrictName.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("DistrictName must not contain quotes or line breaks.", nameof(DistrictName));
        }
    }
}
