using Microsoft.Data.Sqlite;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// The household of every person who has one, read once from the person table's household index (a covering scan: no
/// page of the table itself). The night's events are joined to it in memory: SQLite's join looked each event's person up
/// in the table, reading most of its pages (~330 MB at a million households) for one column, and that was most of the
/// events' read. The telecom plan comes from it too, instead of a scan of its own.
/// </summary>
internal sealed class PersonHouseholds
{
    private const long None = -1;

    // Person numbers are given in order by the ingest, so an array indexed by number is dense; a store whose numbers are
    // far sparser than its persons (numbers given elsewhere) is held in a dictionary instead.
    private const int DenseSlack = 4;

    private long[] _byPerson = [];
    private Dictionary<long, long>? _sparse;

    private PersonHouseholds()
    {
    }

    /// <summary>Persons with a household.</summary>
    public int Count { get; private set; }

    public static PersonHouseholds Read(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var map = new PersonHouseholds();
        SqliteRows.ForEach(
            connection,
            "SELECT person_no, household_no FROM person WHERE household_no IS NOT NULL",
            _ => { },
            row => map.Add(row.Int64(0), row.Int64(1)),
            cancellationToken);
        return map;
    }

    /// <summary>The person's household number, if the registry names one.</summary>
    public bool TryGet(long personNo, out long householdNo)
    {
        if (_sparse is not null)
        {
            return _sparse.TryGetValue(personNo, out householdNo);
        }

        householdNo = (ulong)personNo < (ulong)_byPerson.Length ? _byPerson[personNo] : None;
        return householdNo != None;
    }

    /// <summary>Which chunk of households (by first number) has persons in which range of persons, each pair once.</summary>
    public HashSet<(long ChunkFirstNo, long RangeFirstNo)> TelecomPlan()
    {
        var plan = new HashSet<(long, long)>();
        foreach (var (personNo, householdNo) in Pairs())
        {
            plan.Add((UsageSlabs.FirstNoOf(householdNo), UsageSlabs.FirstNoOf(personNo)));
        }

        return plan;
    }

    private IEnumerable<(long PersonNo, long HouseholdNo)> Pairs()
    {
        if (_sparse is not null)
        {
            foreach (var (personNo, householdNo) in _sparse)
            {
                yield return (personNo, householdNo);
            }

            yield break;
        }

        for (var personNo = 0L; personNo < _byPerson.Length; personNo++)
        {
            if (_byPerson[personNo] != None)
            {
                yield return (personNo, _byPerson[personNo]);
            }
        }
    }

    private void Add(long personNo, long householdNo)
    {
        Count++;
        if (_sparse is null && personNo >= 0 && personNo < Math.Max((long)Count * DenseSlack, 1 << 20))
        {
            if (personNo >= _byPerson.Length)
            {
                var grown = new long[Math.Min(Math.Max(personNo + 1, _byPerson.Length * 2L), Array.MaxLength)];
                _byPerson.CopyTo(grown, 0);
                grown.AsSpan(_byPerson.Length).Fill(None);
                _byPerson = grown;
            }

            _byPerson[personNo] = householdNo;
            return;
        }

        if (_sparse is null)
        {
            _sparse = new Dictionary<long, long>(Count);
            for (var no = 0L; no < _byPerson.Length; no++)
            {
                if (_byPerson[no] != None)
                {
                    _sparse.Add(no, _byPerson[no]);
                }
            }

            _byPerson = [];
        }

        _sparse[personNo] = householdNo;
    }
}
