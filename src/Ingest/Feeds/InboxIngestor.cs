using System.Buffers;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CsvHelper;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using Serilog;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// Ingests the feed files of an inbox folder (SPEC "Files and the inbox"): each new or re-sent file is validated row by
/// row and applied in one transaction with its ledger entry, quarantined rows and the removal of the rows of the
/// earlier version it replaces. Content ingested before is a no-op.
/// </summary>
public sealed class InboxIngestor
{
    // How often the row loop looks at the cancellation token: rare enough to cost nothing, often enough to stop in milliseconds.
    private const int CancellationCheckInterval = 8_192;

    // A real row is under 10 KiB (a note is at most 8,000 bytes). An unclosed quote turns the rest of a file into one
    // record; past this size the file is rejected instead of being buffered into memory whole.
    private const int MaxRecordBytes = 1 << 20;

    private const int HashBlockBytes = 1 << 20;

    private readonly RiskStore _store;
    private readonly KeyRing _keys;
    private readonly ILogger _logger;

    public InboxIngestor(RiskStore store, KeyRing keys, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _keys = keys;
        _logger = logger.ForContext<InboxIngestor>();
    }

    /// <summary>
    /// Ingests every new or re-sent file of <paramref name="inboxDirectory"/> (not its subfolders), by as-of date, then
    /// feed (residents first, so households exist), then version; a file whose name does not follow SPEC is reported as rejected.
    /// </summary>
    public async Task<IReadOnlyList<FileIngestResult>> IngestAsync(string inboxDirectory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inboxDirectory);
        if (!Directory.Exists(inboxDirectory))
        {
            throw new DirectoryNotFoundException($"The inbox folder {inboxDirectory} does not exist.");
        }

        var results = new List<FileIngestResult>();
        var files = new List<(FeedFileName Name, string Path)>();
        var paths = Directory.EnumerateFiles(inboxDirectory).Order(StringComparer.Ordinal).ToList();
        _logger.InboxScanned(inboxDirectory, paths.Count);
        foreach (var path in paths)
        {
            var fileName = Path.GetFileName(path);
            if (FeedFileName.TryParse(fileName, out var name, out var error))
            {
                files.Add((name!, path));
                continue;
            }

            _logger.FileRejected(fileName, error);
            results.Add(new FileIngestResult(fileName, null, null, null, FileIngestResult.Rejected, 0, 0, $"{fileName}: {error}"));
        }

        if (files.Count == 0)
        {
            return results;
        }

        files.Sort((a, b) =>
        {
            var byDate = a.Name.Date.CompareTo(b.Name.Date);
            if (byDate != 0)
            {
                return byDate;
            }

            var byFeed = FeedCatalog.OrderOf(a.Name.Feed).CompareTo(FeedCatalog.OrderOf(b.Name.Feed));
            return byFeed != 0 ? byFeed : a.Name.Version.CompareTo(b.Name.Version);
        });

        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        using var subjects = new SubjectMap(_store.OpenConnectionAsync);
        using var hasher = _keys.Pseudonymizer.CreateHasher();
        foreach (var (name, path) in files)
        {
            results.Add(await IngestFileAsync(connection, subjects, hasher, name, path, cancellationToken));
        }

        // A day a daily feed skipped is said out loud, not silently scored as "no consumption".
        foreach (var gap in await IngestHistory.FindMissingDatesAsync(_store, cancellationToken))
        {
            _logger.FeedDateMissing(gap.Feed, gap.Date);
        }

        return results;
    }

    /// <summary>The quarantined rows, of one file (by name, as ingested) or of all, in file and line order.</summary>
    public static async Task<IReadOnlyList<QuarantinedRow>> ReadQuarantineAsync(RiskStore store, string? fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = fileName is null
            ? "SELECT file_name, line, column_name, reason FROM quarantine ORDER BY file_id, line, column_name"
            : "SELECT file_name, line, column_name, reason FROM quarantine WHERE file_name = @file_name ORDER BY file_id, line, column_name";
        if (fileName is not null)
        {
            command.AddParameter("@file_name", fileName);
        }

        var rows = new List<QuarantinedRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new QuarantinedRow(reader.GetString(0), checked((int)reader.GetInt64(1)), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    private async Task<FileIngestResult> IngestFileAsync(
        DbConnection connection,
        SubjectMap subjects,
        Pseudonymizer.PseudonymHasher hasher,
        FeedFileName name,
        string path,
        CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(path);
        var feed = name.Feed;
        var asOf = name.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();
        var sha256 = await HashAsync(path, cancellationToken);

        FileIngestResult Result(string status, int loaded = 0, int quarantined = 0, string? error = null) =>
            new(fileName, feed.Name, name.Date, name.Version, status, loaded, quarantined, error);

        await using var transaction = await _store.Dialect.BeginWriteTransactionAsync(connection, cancellationToken);
        var ledger = new IngestLedger(connection, transaction, _store.Dialect);
        var known = await ledger.FindByContentAsync(sha256, cancellationToken);
        if (known is not null && !string.Equals(known.Status, IngestLedger.Rejected, StringComparison.Ordinal))
        {
            _logger.FileDuplicate(fileName, known.FileName);
            return Result(FileIngestResult.Duplicate);
        }

        async Task<FileIngestResult> RejectAsync(string error)
        {
            // A rejected file is recorded once; the same content sent again is rejected again without a second entry.
            if (known is null)
            {
                await ledger.InsertAsync(fileName, feed.Name, asOf, name.Version, sha256, IngestLedger.Rejected, error, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            _logger.FileRejected(fileName, error);
            return Result(FileIngestResult.Rejected, error: error);
        }

        var earlier = await ledger.FindLoadedVersionsAsync(feed.Name, asOf, cancellationToken);
        var newest = earlier.Count == 0 ? 0 : earlier.Max(e => e.Version);
        if (newest >= name.Version)
        {
            return await RejectAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{fileName}: version {newest} of {feed.Name} {asOf} is already loaded with other content; send the correction as {feed.Name}_{name.Date:yyyyMMdd}.v{newest + 1}.csv"));
        }

        var malformed = new Dictionary<long, CsvMalformedReason>();
        using var reader = OpenCsv(path, malformed);
        try
        {
            var header = MapHeader(reader, feed, fileName, out var headerError);
            if (header is null)
            {
                return await RejectAsync(headerError!);
            }

            if (known is not null)
            {
                // The same content was rejected before (say, while a later version was loaded); the new entry replaces that record.
                await ledger.DeleteAsync(known.FileId, cancellationToken);
            }

            var fileId = await ledger.InsertAsync(fileName, feed.Name, asOf, name.Version, sha256, IngestLedger.Loaded, null, cancellationToken);
            if (earlier.Count > 0)
            {
                var deleted = await ledger.SupersedeAsync([.. earlier.Select(e => e.FileId)], feed.ReplacedTable, cancellationToken);
                _logger.VersionsReplaced(fileName, earlier.Select(e => e.FileName), deleted);
            }

            await subjects.BeginAsync(connection, transaction, _store.Dialect, feed.ReadsBackSubjects, cancellationToken);
            int loaded;
            int quarantined;
            using (var context = new LoadContext(connection, transaction, _store.Dialect, fileId, fileName, name.Date, subjects, hasher, _keys.Vault))
            using (var loader = feed.CreateLoader(context))
            {
                (loaded, quarantined) = LoadRows(reader, header, loader, context, malformed, cancellationToken);

                await loader.CompleteAsync(cancellationToken);
            }

            await subjects.FlushAsync(cancellationToken);

            await ledger.CompleteAsync(fileId, loaded, quarantined, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            subjects.Commit();
            _logger.FileLoaded(fileName, loaded, quarantined, stopwatch.Elapsed.TotalSeconds);
            return Result(FileIngestResult.Loaded, loaded, quarantined);
        }
        catch (CsvFormatException exception)
        {
            // Beyond recovery (a record larger than the reader allows): nothing of the file lands. The exception's
            // message is not repeated, since it may quote the input.
            await transaction.RollbackAsync(cancellationToken);
            subjects.Rollback();
            await using var retry = await _store.Dialect.BeginWriteTransactionAsync(connection, cancellationToken);
            var line = exception.LineNumber > 0 ? exception.LineNumber : reader.LineNumber;
            var error = string.Create(CultureInfo.InvariantCulture, $"{fileName}: not readable as CSV near line {line}");
            if (known is null)
            {
                await new IngestLedger(connection, retry, _store.Dialect).InsertAsync(
                    fileName, feed.Name, asOf, name.Version, sha256, IngestLedger.Rejected, error, cancellationToken);
            }

            await retry.CommitAsync(cancellationToken);
            _logger.FileRejected(fileName, error);
            return Result(FileIngestResult.Rejected, error: error);
        }
        catch (Exception exception)
        {
            subjects.Rollback();
            if (exception is not OperationCanceledException)
            {
                _logger.FileFailed(exception, fileName);
            }

            throw;
        }
    }

    /// <summary>
    /// Reads and validates every row of one feed file with the ingest's own reader, header mapping and loader, and stores
    /// nothing the loader buffers (its <see cref="FeedLoader.CompleteAsync"/> is not called): what parsing a feed costs
    /// apart from writing it, for the micro-benchmarks. Subjects resolve through <paramref name="context"/>'s map, and the
    /// registry's loader and quarantined rows still write in the context's transaction, which the caller rolls back.
    /// </summary>
    internal static (int Loaded, int Quarantined) ReadAndValidate(string path, FeedDefinition feed, LoadContext context, CancellationToken cancellationToken)
    {
        var malformed = new Dictionary<long, CsvMalformedReason>();
        using var reader = OpenCsv(path, malformed);
        var header = MapHeader(reader, feed, Path.GetFileName(path), out var error)
            ?? throw new InvalidDataException(error);
        using var loader = feed.CreateLoader(context);
        return LoadRows(reader, header, loader, context, malformed, cancellationToken);
    }

    /// <summary>Reads the rows of the file. Synchronous on purpose: the reader's spans cannot live across an await, and SQLite runs in-process.</summary>
    private static (int Loaded, int Quarantined) LoadRows(
        CsvReader reader,
        int[] header,
        FeedLoader loader,
        LoadContext context,
        Dictionary<long, CsvMalformedReason> malformed,
        CancellationToken cancellationToken)
    {
        var loaded = 0;
        var quarantined = 0;
        var fieldCount = reader.Headers.Count;
        var row = new FeedRow(reader, header);
        while (reader.Read())
        {
            if ((reader.RowNumber % CancellationCheckInterval) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var line = checked((int)reader.LineNumber);
            RowError? error;
            if (malformed.Count > 0 && malformed.Remove(reader.RowNumber + 1, out var reason))
            {
                // Malformed records count the header: record 1 is the header, data row n is record n + 1.
                error = new RowError(RowError.WholeRow, Describe(reason));
            }
            else if (reader.FieldCount != fieldCount)
            {
                error = new RowError(RowError.WholeRow, string.Create(
                    CultureInfo.InvariantCulture, $"the row has {reader.FieldCount} fields, the header has {fieldCount}"));
            }
            else
            {
                error = loader.Load(row);
            }

            if (error is { } rowError)
            {
                context.Quarantine(line, rowError);
                quarantined++;
            }
            else
            {
                loaded++;
            }
        }

        loader.EndRows();
        return (loaded - loader.LateQuarantined, quarantined + loader.LateQuarantined);
    }

    /// <summary>A reader of a feed file as SPEC reads it; malformed records are noted in <paramref name="malformed"/> when given.</summary>
    internal static CsvReader OpenCsv(string path, Dictionary<long, CsvMalformedReason>? malformed)
    {
        var options = CsvReaderOptions.Default with
        {
            // SPEC fixes the separator; detecting it could misread a file whose first line has more semicolons than commas.
            Separator = ',',
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            TrimWhitespace = false,
            TrackLineNumbers = true,
            MaxRecordSize = MaxRecordBytes,
            IncludeValuesInExceptions = false,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            OnMalformedRecord = malformed is null ? null : record => malformed[record.RecordNumber] = record.Reason,
        };
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return CsvReader.Create(stream, options, leaveOpen: false);
    }

    /// <summary>Where each column of the feed is in this file (-1: absent), or null with the error that rejects the file.</summary>
    private static int[]? MapHeader(CsvReader reader, FeedDefinition feed, string fileName, out string? error)
    {
        reader.ReadHeader();
        if (reader.Headers.Count == 0 || (reader.Headers.Count == 1 && reader.Headers[0].Length == 0))
        {
            error = $"{fileName}: the file is empty (no header row)";
            return null;
        }

        var indexes = new int[feed.Columns.Count];
        var missing = new List<string>();
        for (var i = 0; i < feed.Columns.Count; i++)
        {
            var column = feed.Columns[i];
            indexes[i] = reader.TryGetFieldIndex(column.Name, out var index) ? index : -1;
            if (indexes[i] < 0 && column.RequiredInHeader)
            {
                missing.Add(column.Name);
            }
        }

        if (missing.Count > 0)
        {
            error = missing.Count == 1
                ? $"{fileName}: missing required column '{missing[0]}'"
                : $"{fileName}: missing required columns {string.Join(", ", missing.Select(m => $"'{m}'"))}";
            return null;
        }

        if (feed.AtLeastOneOf.Count > 0 && !feed.AtLeastOneOf.Any(c => reader.TryGetFieldIndex(c, out _)))
        {
            error = $"{fileName}: missing required column: the header needs {string.Join(" or ", feed.AtLeastOneOf.Select(c => $"'{c}'"))}";
            return null;
        }

        error = null;
        return indexes;
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "malformed quoting: a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "malformed quoting: text after the closing quote of a field",
        CsvMalformedReason.UnterminatedQuote => "malformed quoting: a quote is never closed, so the rest of the file was read as this row",
        _ => "malformed row",
    };

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        // Read in 1 MiB blocks: SHA256.HashDataAsync reads 4 KiB at a time, which for a large file is thousands of
        // thread-pool reads before the first row can be looked at.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(HashBlockBytes);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, HashBlockBytes), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
