namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// What really happened to one household; the feeds reveal it only indirectly.
/// Profile fields describe the household on the first day of the window (<c>HeadAge</c> is the head's age that day).
/// <c>CrisisOnset</c> may lie before the window (a crisis already under way). <c>DeathDate</c> is the first death of a
/// member: for <c>DiedAlone</c> households the lonely death (possibly shortly before the window, still undiscovered on
/// day 1), otherwise a death found the same day (hospital, or a multi-person household). <c>DiscoveredOn</c> is null
/// while a lonely death is undiscovered at EndDate. <c>Trips</c> and <c>HospitalStays</c> are clipped to the window.
/// </summary>
public sealed record HouseholdTruth(
    string HouseholdId,
    string DongCode,
    int Size,
    bool LivesAlone,
    int HeadAge,
    char HeadSex,
    string HousingType,
    bool BasicLivelihood,
    bool HasSmartMeter,
    bool HasWaterMeter,
    int PhoneLines,
    DateOnly? CrisisOnset,
    DateOnly? DeathDate,
    bool DiedAlone,
    DateOnly? DiscoveredOn,
    IReadOnlyList<DateRange> Trips,
    IReadOnlyList<DateRange> HospitalStays,
    DateOnly? UnregisteredMoveOn);
