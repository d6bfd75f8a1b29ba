using System.Data.Common;
using System.Globalization;
using System.Reflection;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// Applies the numbered scripts of <c>Store/Migrations/{dialect}</c> (embedded resources, <c>NNN_name.sql</c>) that the
/// <c>schema_version</c> table does not list, each in its own transaction with its ledger row.
/// </summary>
internal static class SchemaMigrator
{
    public static async Task ApplyAsync(DbConnection connection, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        var migrations = Discover(dialect.MigrationFolder);
        if (await AllAppliedAsync(connection, dialect, migrations, cancellationToken))
        {
            // The common case of every command on an existing store: one read, no write transaction, no lock.
            return;
        }

        // Under the write lock: on PostgreSQL two sessions running CREATE TABLE IF NOT EXISTS at once can still collide.
        await using (var lockedCreate = await dialect.BeginWriteTransactionAsync(connection, cancellationToken))
        {
            await using var create = connection.CreateCommand();
            create.Transaction = lockedCreate;
            create.CommandText = dialect.SchemaVersionTableSql;
            await create.ExecuteNonQueryAsync(cancellationToken);
            await lockedCreate.CommitAsync(cancellationToken);
        }

        foreach (var migration in migrations)
        {
            // The check is repeated inside the write transaction: two processes opening a new store at once must not
            // both run 001.
            await using var transaction = await dialect.BeginWriteTransactionAsync(connection, cancellationToken);
            if (await IsAppliedAsync(connection, transaction, migration.Version, cancellationToken))
            {
                continue;
            }

            await using (var apply = connection.CreateCommand())
            {
                apply.Transaction = transaction;
                apply.CommandText = migration.Sql;
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at)";
                record.AddParameter("@version", migration.Version);
                record.AddParameter("@name", migration.Name);
                record.AddParameter("@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await using var newest = connection.CreateCommand();
        newest.CommandText = "SELECT MAX(version) FROM schema_version";
        var applied = Convert.ToInt32(await newest.ExecuteScalarAsync(cancellationToken) ?? 0, CultureInfo.InvariantCulture);
        var known = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (applied > known)
        {
            throw new InvalidOperationException(
                $"The store's schema is at version {applied}, newer than this build of RiskWatch knows ({known}); upgrade RiskWatch.");
        }
    }

    internal static IReadOnlyList<Migration> Discover(string folder)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Store.Migrations.{folder}.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[prefix.Length..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource {resource} is not named NNN_name.sql.");
            }

            migrations.Add(new Migration(version, name, Read(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations have version {migrations[i].Version} in {folder}.");
            }
        }

        return migrations;
    }

    /// <summary>
    /// True when <c>schema_version</c> lists exactly the known migrations: committed rows, so nothing is left to do and
    /// no lock is needed. Anything else (no ledger yet, a migration missing, a newer store) takes the locked path.
    /// </summary>
    private static async Task<bool> AllAppliedAsync(
        DbConnection connection, ISqlDialect dialect, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await using (var exists = connection.CreateCommand())
        {
            // Asked first rather than caught: a failed SELECT would cost a new store an exception (and its JIT) at start.
            exists.CommandText = dialect.SchemaVersionExistsSql;
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
            {
                return false;
            }
        }

        var applied = new List<long>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version ORDER BY version";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return applied.SequenceEqual(migrations.Select(m => (long)m.Version));
    }

    private static async Task<bool> IsAppliedAsync(DbConnection connection, DbTransaction transaction, int version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM schema_version WHERE version = @version";
        command.AddParameter("@version", version);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal sealed record Migration(int Version, string Name, string Sql);
}
