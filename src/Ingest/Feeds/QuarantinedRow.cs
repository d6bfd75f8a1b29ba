namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// A row that failed validation: the file, its physical line (the header is line 1), the column at fault
/// (<c>(row)</c> when the row as a whole is malformed) and a reason that never repeats personal data.
/// </summary>
public sealed record QuarantinedRow(string File, int Line, string Column, string Reason);
