using System.Data.Common;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// A named parameter on a plain ADO.NET command, for the readers that step rows by hand instead of through Dapper
/// (the history's slab and row reads, the migrator, the queue's bulk insert): one way for every provider.
/// </summary>
public static class DbCommandParameters
{
    public static DbParameter AddParameter(this DbCommand command, string name, object value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
