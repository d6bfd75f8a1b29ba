using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// residents: the registry, one row per person (a snapshot, then changes). Updates the household and the person as of
/// the file's date (never overwriting a newer file's state), and seals the identity fields.
/// </summary>
internal sealed class ResidentsLoader : FeedLoader
{
    private const int Rrn = 0;
    private const int HouseholdId = 1;
    private const int Name = 2;
    private const int BirthDate = 3;
    private const int Sex = 4;
    private const int DongCode = 5;
    private const int Address = 6;
    private const int Phone = 7;
    private const int HouseholdSize = 8;
    private const int Relation = 9;
    private const int HousingType = 10;
    private const int Status = 11;
    private const int StatusDate = 12;

    private static readonly EnumValues Sexes = new("M", "F");
    private static readonly EnumValues Relations = new("head", "member");
    private static readonly EnumValues HousingTypes =
        new("apartment", "rowhouse", "detached", "officetel", "gosiwon", "basement", "rooftop", "other");

    private static readonly EnumValues Statuses = new("active", "moved_out", "deceased");

    private static readonly TableSpec IdentityTable = new(
        "identity", ["person_no", "household_id_enc", "name_enc", "address_enc", "phone_enc"], ["person_no"]);

    private readonly byte[] _rrn = NewRrnBuffer();
    private readonly HashSet<long> _personsInFile = [];
    private readonly DateTextCache _birthDates = new("birth_date");
    private readonly DateTextCache _statusDates = new("status_date");
    private readonly Statement _household;
    private readonly Statement _person;
    private readonly IBulkWriter _identity;

    private ResidentsLoader(LoadContext context)
        : base(context)
    {
        // One statement for the household: first_seen_on only moves back, the registry fields only move forward
        // (a late file of an earlier date does not undo a later one). Every right-hand side reads the old row.
        _household = context.Prepare(
            """
            UPDATE household SET
                first_seen_on  = CASE WHEN first_seen_on IS NULL OR first_seen_on > @as_of THEN @as_of ELSE first_seen_on END,
                dong_code      = CASE WHEN updated_on IS NULL OR updated_on <= @as_of THEN @dong_code ELSE dong_code END,
                household_size = CASE WHEN updated_on IS NULL OR updated_on <= @as_of THEN @household_size ELSE household_size END,
                housing_type   = CASE WHEN updated_on IS NULL OR updated_on <= @as_of THEN @housing_type ELSE housing_type END,
                updated_on     = CASE WHEN updated_on IS NULL OR updated_on <= @as_of THEN @as_of ELSE updated_on END
            WHERE household_no = @household_no
            """,
            "household_no", "as_of", "dong_code", "household_size", "housing_type");
        _household.Set(1, context.AsOfText);

        _person = context.Prepare(
            """
            UPDATE person SET household_no = @household_no, birth_date = @birth_date, sex = @sex, relation = @relation,
                              status = @status, status_date = @status_date, reported_on = @reported_on, file_id = @file_id
            WHERE person_no = @person_no AND (reported_on IS NULL OR reported_on <= @reported_on)
            """,
            "person_no", "household_no", "birth_date", "sex", "relation", "status", "status_date", "reported_on", "file_id");
        _person.Set(7, context.AsOfText).Set(8, context.FileId);

        _identity = context.Upsert(IdentityTable);
    }

    public static FeedDefinition Definition { get; } = new(
        "residents",
        [
            new("rrn"), new("household_id"), new("name"), new("birth_date"), new("sex"), new("dong_code"), new("address"),
            new("phone", RequiredInHeader: false), new("household_size"), new("relation"), new("housing_type"), new("status"),
            new("status_date"),
        ],
        // A registry file updates state tables (household, person, identity) that other feeds point into by number,
        // so a corrected version re-applies its rows over the earlier one's instead of deleting them; a person only
        // the earlier version named keeps that state.
        ReplacedTable: null,
        context => new ResidentsLoader(context))
    {
        ReadsBackSubjects = true,
    };

    public override RowError? Load(FeedRow row)
    {
        RowError? error;
        if ((error = Fields.Rrn(row[Rrn], _rrn)) is not null
            || (error = Fields.HouseholdId(row[HouseholdId])) is not null
            || (error = Fields.Text(row[Name], "name", required: true)) is not null
            || (error = _birthDates.Parse(row[BirthDate], out var birthDate, out _)) is not null
            || (error = Fields.OneOf(row[Sex], "sex", Sexes, out var sex)) is not null
            || (error = Fields.DongCode(row[DongCode])) is not null
            || (error = Fields.Text(row[Address], "address", required: false)) is not null
            || (error = Fields.Text(row[Phone], "phone", required: false)) is not null
            || (error = Fields.WholeNumber(row[HouseholdSize], "household_size", 1, long.MaxValue, out var householdSize)) is not null
            || (error = Fields.OneOf(row[Relation], "relation", Relations, out var relation)) is not null
            || (error = Fields.OneOf(row[HousingType], "housing_type", HousingTypes, out var housingType)) is not null
            || (error = Fields.OneOf(row[Status], "status", Statuses, out var status)) is not null)
        {
            return error;
        }

        string? statusDate = null;
        if (!row[StatusDate].IsEmpty)
        {
            error = _statusDates.Parse(row[StatusDate], out var text, out _);
            if (error is not null)
            {
                return error;
            }

            statusDate = text;
        }
        else if (!string.Equals(status, "active", StringComparison.Ordinal))
        {
            return new RowError("status_date", "status_date is required unless status is active");
        }

        var personNo = PersonNo(_rrn);
        if (!_personsInFile.Add(personNo))
        {
            return new RowError("rrn", "the same rrn is on an earlier line of this file");
        }

        var householdNo = HouseholdNo(row[HouseholdId]);
        _household.Set(0, householdNo).Set(2, Fields.AsciiText(row[DongCode])).Set(3, householdSize).Set(4, housingType).Execute();

        var changed = _person.Set(0, personNo).Set(1, householdNo).Set(2, birthDate).Set(3, sex).Set(4, relation)
            .Set(5, status).Set(6, statusDate).Execute();
        if (changed == 0)
        {
            // A file of a later date already set this person; its identity is the newer one too.
            return null;
        }

        var vault = Context.Vault;
        _identity.Set(0, personNo);
        _identity.Set(1, vault.Seal(row[HouseholdId]));
        _identity.Set(2, vault.Seal(row[Name]));
        _identity.Set(3, row[Address].IsEmpty ? null : vault.Seal(row[Address]));
        _identity.Set(4, row[Phone].IsEmpty ? null : vault.Seal(row[Phone]));
        _identity.AddRow();
        return null;
    }

    public override Task CompleteAsync(CancellationToken cancellationToken) => _identity.FlushAsync(cancellationToken);
}
