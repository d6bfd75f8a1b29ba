using System.Globalization;

namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Writes the event feeds: the registry (snapshot on day 1, then change files), welfare, arrears, reports and the
/// weekly outcomes. Files exist only on days that have rows, except the weekly outcomes file, written every Sunday.
/// </summary>
internal sealed class EventFeedWriter
{
    private readonly DistrictCalendar _calendar;
    private readonly IReadOnlyList<SimHousehold> _households;
    private readonly string _inbox;

    public EventFeedWriter(DistrictCalendar calendar, IReadOnlyList<SimHousehold> households, string inbox)
    {
        _calendar = calendar;
        _households = households;
        _inbox = inbox;
    }

    public void WriteAll(CancellationToken cancellationToken)
    {
        WriteResidents(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        WriteWelfare();
        cancellationToken.ThrowIfCancellationRequested();
        WriteArrears();
        cancellationToken.ThrowIfCancellationRequested();
        WriteReports();
        WriteOutcomes();
    }

    private void WriteResidents(CancellationToken cancellationToken)
    {
        using (var file = new FeedFileWriter(_inbox, "residents", _calendar.Start, FeedHeaders.Residents))
        {
            foreach (var h in _households)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var i = 0; i < h.Members.Length; i++)
                {
                    Resident(file, h, i, h.Members.Length, i == 0, "active", null);
                }
            }
        }

        var byDay = new SortedDictionary<int, List<(SimHousehold Household, RegistryChange Change)>>();
        foreach (var h in _households)
        {
            foreach (var c in h.RegistryChanges)
            {
                Bucket(byDay, c.Day).Add((h, c));
            }
        }

        foreach (var (day, rows) in byDay)
        {
            using var file = new FeedFileWriter(_inbox, "residents", _calendar.DateOf(day), FeedHeaders.Residents);
            foreach (var (h, c) in rows)
            {
                Resident(file, h, c.PersonIndex, c.HouseholdSize, c.IsHead, c.Status, c.StatusDate);
            }
        }
    }

    private static void Resident(FeedFileWriter file, SimHousehold h, int index, int size, bool head, string status, DateOnly? statusDate)
    {
        var p = h.Members[index];
        file.Raw(p.Rrn)
            .Raw(h.Id)
            .Text(p.Name)
            .Raw(Day(p.BirthDate))
            .Raw(p.Sex == 'M' ? "M" : "F")
            .Raw(h.DongCode)
            .Text(h.Address)
            .Raw(p.Phone)
            .Int(size)
            .Raw(head ? "head" : "member")
            .Raw(SimText.Housing(h.Housing))
            .Raw(status);
        if (statusDate is { } date)
        {
            file.Raw(Day(date));
        }
        else
        {
            file.Empty();
        }

        file.EndRow();
    }

    private void WriteWelfare()
    {
        var byDay = new SortedDictionary<int, List<(SimHousehold Household, WelfareRow Row)>>();
        foreach (var h in _households)
        {
            foreach (var w in h.Welfare)
            {
                Bucket(byDay, w.FileDay).Add((h, w));
            }
        }

        foreach (var (day, rows) in byDay)
        {
            using var file = new FeedFileWriter(_inbox, "welfare", _calendar.DateOf(day), FeedHeaders.Welfare);
            foreach (var (h, w) in rows)
            {
                file.Raw(h.Members[w.PersonIndex].Rrn).Raw(w.Event).Raw(Day(w.EventDate)).EndRow();
            }
        }
    }

    private void WriteArrears()
    {
        var byDay = new SortedDictionary<int, List<string[]>>();
        var firstMonth = _calendar.MonthOfDay(0);
        var lastMonth = _calendar.MonthOfDay(_calendar.LastDay);
        foreach (var h in _households)
        {
            // Accounts close once the registry shows the holder dead.
            var closedFrom = int.MaxValue;
            foreach (var c in h.RegistryChanges)
            {
                if (c.PersonIndex == 0 && c.Status == "deceased")
                {
                    closedFrom = c.Day;
                }
            }

            var holder = h.Head.Rrn;
            foreach (var e in h.Arrears)
            {
                for (var month = firstMonth; month <= lastMonth && month <= e.EndMonth; month++)
                {
                    var reportDay = _calendar.DayOf(ArrearsReporting.ReportDate(e.Source, month));
                    if (reportDay < 0 || reportDay > _calendar.LastDay || reportDay > closedFrom)
                    {
                        continue;
                    }

                    var overdue = e.MonthsOverdue(month);
                    string[] row;
                    if (overdue > 0)
                    {
                        row = Row(e.Source, holder, month - overdue + 1, ArrearsReporting.Amount(e.MonthlyBill, overdue), overdue,
                            ArrearsReporting.Action(e.Source, overdue, month), reportDay);
                    }
                    else if (month == e.EndMonth && e.EndMonth > e.StartMonth)
                    {
                        // Paid up: reported once with 0 months; `restored` if supply had been restricted or cut.
                        var before = ArrearsReporting.Action(e.Source, e.EndMonth - e.StartMonth, month - 1);
                        row = Row(e.Source, holder, e.StartMonth, 0, 0, ArrearsReporting.IsSupplyCut(before) ? "restored" : "none", reportDay);
                    }
                    else
                    {
                        continue;
                    }

                    Bucket(byDay, reportDay).Add(row);
                }
            }
        }

        foreach (var (day, rows) in byDay)
        {
            using var file = new FeedFileWriter(_inbox, "arrears", _calendar.DateOf(day), FeedHeaders.Arrears);
            foreach (var row in rows)
            {
                foreach (var field in row)
                {
                    file.Raw(field);
                }

                file.EndRow();
            }
        }

        string[] Row(ArrearsSource source, string rrn, int billingMonth, long amount, int months, string action, int day) =>
        [
            SimText.Source(source), rrn, DistrictCalendar.MonthText(billingMonth),
            amount.ToString(CultureInfo.InvariantCulture), months.ToString(CultureInfo.InvariantCulture), action, _calendar.Text(day),
        ];
    }

    private void WriteReports()
    {
        var byDay = new SortedDictionary<int, List<(SimHousehold Household, ReportRow Report)>>();
        foreach (var h in _households)
        {
            foreach (var r in h.Reports)
            {
                Bucket(byDay, r.Day).Add((h, r));
            }
        }

        foreach (var (day, rows) in byDay)
        {
            // Report ids are numbered in the order the reports came in that day.
            rows.Sort((a, b) => a.Report.Minute != b.Report.Minute
                ? a.Report.Minute.CompareTo(b.Report.Minute)
                : a.Household.Index.CompareTo(b.Household.Index));
            var date = _calendar.DateOf(day);
            using var file = new FeedFileWriter(_inbox, "reports", date, FeedHeaders.Reports);
            for (var i = 0; i < rows.Count; i++)
            {
                var (h, r) = rows[i];
                var id = string.Create(CultureInfo.InvariantCulture, $"R{date:yyyyMMdd}{i:D4}");
                var at = string.Create(CultureInfo.InvariantCulture, $"{date:yyyy-MM-dd}T{r.Minute / 60:D2}:{r.Minute % 60:D2}:00+09:00");
                file.Raw(id).Raw(h.Id).Raw(r.Channel).Raw(at).Text(r.Note).EndRow();
            }
        }
    }

    private void WriteOutcomes()
    {
        // One file every Sunday of the window with the visits of the seven days ending that Sunday.
        var byWeek = new SortedDictionary<int, List<(SimHousehold Household, VisitRow Visit)>>();
        for (var d = 0; d < _calendar.Days; d++)
        {
            if (_calendar.DateOf(d).DayOfWeek == DayOfWeek.Sunday)
            {
                byWeek[d] = [];
            }
        }

        foreach (var h in _households)
        {
            foreach (var v in h.Visits)
            {
                var sunday = v.Day + ((7 - (int)_calendar.DateOf(v.Day).DayOfWeek) % 7);
                if (byWeek.TryGetValue(sunday, out var rows))
                {
                    rows.Add((h, v));
                }
            }
        }

        foreach (var (day, rows) in byWeek)
        {
            rows.Sort((a, b) => a.Visit.Day != b.Visit.Day
                ? a.Visit.Day.CompareTo(b.Visit.Day)
                : a.Household.Index.CompareTo(b.Household.Index));
            using var file = new FeedFileWriter(_inbox, "outcomes", _calendar.DateOf(day), FeedHeaders.Outcomes);
            foreach (var (h, v) in rows)
            {
                file.Raw(h.Id).Raw(_calendar.Text(v.Day)).Raw(v.Outcome);
                if (v.DiscoveredAfterDays >= 0)
                {
                    file.Int(v.DiscoveredAfterDays);
                }
                else
                {
                    file.Empty();
                }

                file.EndRow();
            }
        }
    }

    private static List<T> Bucket<T>(SortedDictionary<int, List<T>> byDay, int day)
    {
        if (!byDay.TryGetValue(day, out var list))
        {
            list = [];
            byDay[day] = list;
        }

        return list;
    }

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
