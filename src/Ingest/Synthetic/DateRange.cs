namespace RiskWatch.Ingest.Synthetic;

/// <summary>An inclusive range of days.</summary>
public readonly record struct DateRange(DateOnly Start, DateOnly End)
{
    public bool Contains(DateOnly day) => day >= Start && day <= End;

    public int Days => End.DayNumber - Start.DayNumber + 1;
}
