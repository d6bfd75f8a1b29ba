using System.Data.Common;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// One prepared command with its parameters, reused for every row of a file: the engine parses the SQL once and only
/// binds and runs it per row. Parameters are addressed by position, in the order given.
/// </summary>
internal sealed class Statement : IDisposable
{
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
    private bool _prepared;

    public Statement(DbConnection connection, DbTransaction transaction, string sql, params string[] parameterNames)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        _parameters = new DbParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "@" + parameterNames[i];
            parameter.Value = DBNull.Value;
            _command.Parameters.Add(parameter);
            _parameters[i] = parameter;
        }
    }

    public Statement Set(int parameter, object? value)
    {
        // Every integer column is 64-bit in every dialect; an int bound to a statement PostgreSQL prepared for bigint
        // would be sent as 4 bytes where 8 are read.
        _parameters[parameter].Value = value switch
        {
            null => DBNull.Value,
            int number => (long)number,
            _ => value,
        };
        return this;
    }

    /// <summary>Runs the statement; the number of rows it changed.</summary>
    public int Execute()
    {
        if (!_prepared)
        {
            // Prepared at the first run, when the parameters carry values: a server engine types them from those.
            _command.Prepare();
            _prepared = true;
        }

        return _command.ExecuteNonQuery();
    }

    public void Dispose() => _command.Dispose();
}
