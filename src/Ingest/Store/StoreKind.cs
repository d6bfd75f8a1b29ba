namespace RiskWatch.Ingest.Store;

/// <summary>The database engines RiskWatch can keep its store in.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
    SqlServer,
}
