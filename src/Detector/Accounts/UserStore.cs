using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Identity;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Accounts;

/// <summary>Local accounts: PBKDF2 hashes from ASP.NET Core's <see cref="PasswordHasher{TUser}"/>, never the password itself.</summary>
internal sealed class UserStore(RiskStore store)
{
    private static readonly PasswordHasher<string> Hasher = new();

    /// <summary>Creates the account, or replaces its role, dongs and password when the name exists already.</summary>
    public async Task<AppUser> AddAsync(string name, string role, IReadOnlyList<string> dongs, string password, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!AppUser.Roles.Contains(role))
        {
            throw new ArgumentException($"unknown role '{role}': use officer, analyst or admin");
        }

        if (role == AppUser.Officer && dongs.Count == 0)
        {
            throw new ArgumentException("an officer needs at least one --dong");
        }

        if (dongs.Any(d => d.Length != 10 || !d.All(char.IsAsciiDigit)))
        {
            throw new ArgumentException("--dong takes 10-digit administrative dong codes");
        }

        if (password.Length < 8)
        {
            throw new ArgumentException("the password needs at least 8 characters");
        }

        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var hash = Hasher.HashPassword(name, password);
        var existing = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT user_id FROM app_user WHERE user_name = @name", new { name }, transaction, cancellationToken: cancellationToken));
        long userId;
        if (existing is { } id)
        {
            userId = id;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE app_user SET role = @role, password_hash = @hash WHERE user_id = @id",
                new { role, hash, id }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM app_user_dong WHERE user_id = @id", new { id }, transaction, cancellationToken: cancellationToken));
        }
        else
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO app_user (user_name, role, password_hash, created_at) VALUES (@name, @role, @hash, @at)",
                new { name, role, hash, at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
                transaction, cancellationToken: cancellationToken));
            userId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT user_id FROM app_user WHERE user_name = @name", new { name }, transaction, cancellationToken: cancellationToken));
        }

        foreach (var dong in dongs.Distinct(StringComparer.Ordinal))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO app_user_dong (user_id, dong_code) VALUES (@userId, @dong)",
                new { userId, dong }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return new AppUser(userId, name, role, dongs.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>The account when the password matches, else null (the same answer for an unknown name, so names cannot be probed).</summary>
    public async Task<AppUser?> VerifyAsync(string name, string password, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT user_id AS UserId, user_name AS Name, role AS Role, password_hash AS PasswordHash FROM app_user WHERE user_name = @name",
            new { name }, cancellationToken: cancellationToken));
        if (row is null)
        {
            // Hash anyway so an unknown name takes as long as a wrong password.
            Hasher.VerifyHashedPassword(name, Hasher.HashPassword(name, "unknown-user"), password);
            return null;
        }

        if (Hasher.VerifyHashedPassword(row.Name, row.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            return null;
        }

        var dongs = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT dong_code FROM app_user_dong WHERE user_id = @id ORDER BY dong_code", new { id = row.UserId }, cancellationToken: cancellationToken));
        return new AppUser(row.UserId, row.Name, row.Role, dongs.ToList());
    }

    /// <summary>Names of the officers who work for a dong, the people a case can be assigned to.</summary>
    public async Task<IReadOnlyList<string>> OfficersOfAsync(string dongCode, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var names = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT u.user_name FROM app_user u JOIN app_user_dong d ON d.user_id = u.user_id
            WHERE d.dong_code = @dongCode AND u.role = 'officer' ORDER BY u.user_name
            """,
            new { dongCode }, cancellationToken: cancellationToken));
        return names.ToList();
    }

    private sealed class UserRow
    {
        public long UserId { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string PasswordHash { get; init; } = "";
    }
}
