namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// The pre-RiskWatch discovery process and everything that follows from it: welfare events, public–private reports,
/// the visits of the dong teams (bi-monthly lists of 3+ months arrears, reports, routine outreach), their outcomes,
/// the discovery of lonely deaths and the registry changes. Re-runnable: every output is rebuilt from the latent state.
/// </summary>
internal sealed class OutreachSimulator
{
    // The bi-monthly 복지 사각지대 list (단전·단수·체납 data) goes out on the 10th of odd months.
    private const int ListDayOfMonth = 10;
    private const double ListVisitShare = 0.75;

    private static readonly string[] CrisisChannels = ["neighbor", "honorary_officer", "landlord", "delivery", "messenger", "other"];
    private static readonly double[] CrisisChannelWeights = [0.30, 0.30, 0.15, 0.05, 0.15, 0.05];

    private static readonly string[] CrisisNotes =
        ["안부가 걱정됨", "식사를 거르는 것 같음", "실직 후 힘들어 보임", "건강이 나빠 보임", "도움이 필요해 보임", "집세가 여러 달 밀렸다고 함"];

    private static readonly string[] DeathChannels = ["landlord", "neighbor", "delivery", "messenger", "other"];
    private static readonly double[] DeathChannelWeights = [0.35, 0.40, 0.12, 0.08, 0.05];
    private static readonly string[] DeathNotes = ["악취가 남", "우편물이 쌓여 있음", "며칠째 인기척이 없음", "연락이 닿지 않음"];

    private readonly DistrictOptions _options;
    private readonly DistrictCalendar _calendar;

    public OutreachSimulator(DistrictOptions options, DistrictCalendar calendar)
    {
        _options = options;
        _calendar = calendar;
    }

    public void Run(SimHousehold h)
    {
        var random = RandomStreams.For(_options.Seed, h.Index, RandomStream.Outreach);
        Reset(h);
        h.States = BuildStates(h);
        StandingWelfare(random, h);
        WindowWelfare(random, h);
        DrawReports(random, h);
        Visit(random, h);
        RegisterChanges(random, h);
        BlockTelecom(h);
        h.Welfare.Sort((a, b) => a.FileDay != b.FileDay ? a.FileDay.CompareTo(b.FileDay) : a.EventDate.CompareTo(b.EventDate));
        h.Reports.Sort((a, b) => a.Day != b.Day ? a.Day.CompareTo(b.Day) : a.Minute.CompareTo(b.Minute));
        h.Visits.Sort((a, b) => a.Day.CompareTo(b.Day));
    }

    private static void Reset(SimHousehold h)
    {
        h.Welfare.Clear();
        h.Reports.Clear();
        h.Visits.Clear();
        h.RegistryChanges.Clear();
        h.DiscoveryDay = h.NaturalDiscoveryDay;
        h.CrisisEndDay = h.CrisisNaturalEndDay;
        foreach (var e in h.Arrears)
        {
            e.EndMonth = e.NaturalEndMonth;
        }

        foreach (var m in h.Members)
        {
            m.TelecomEndDay = int.MaxValue;
            m.MovedOutDay = int.MaxValue;
        }
    }

    private DayState[] BuildStates(SimHousehold h)
    {
        var states = new DayState[_calendar.Days];
        foreach (var t in h.Trips)
        {
            Fill(states, t.Start, t.End, DayState.Trip);
        }

        foreach (var s in h.HospitalStays)
        {
            Fill(states, s.Start, s.End, DayState.Hospital);
        }

        foreach (var s in h.CriticalCare)
        {
            Fill(states, s.Start, s.End, DayState.CriticalCare);
        }

        if (h.UnregisteredMoveDay < _calendar.Days)
        {
            Fill(states, h.UnregisteredMoveDay, _calendar.LastDay, DayState.MovedAway);
        }

        if (h.LivesAlone && h.DeathDay != int.MaxValue)
        {
            // Nobody lives there from the day after the death; a death at home leaves a half-lived last day.
            Fill(states, h.DeathDay + 1, _calendar.LastDay, DayState.Dead);
            if (h.DiedAlone && h.DeathDay >= 0)
            {
                states[h.DeathDay] = DayState.DeathDay;
            }
        }

        return states;
    }

    private static void Fill(DayState[] states, int from, int to, DayState state)
    {
        for (var d = Math.Max(0, from); d <= Math.Min(states.Length - 1, to); d++)
        {
            states[d] = state;
        }
    }

    private void StandingWelfare(Random random, SimHousehold h)
    {
        var start = _calendar.Start;
        if (h.BasicLivelihood)
        {
            AddStanding(h, 0, "basic_livelihood_start", start.AddDays(-random.Between(365, 15 * 365)));
        }

        if (h.NearPoverty)
        {
            AddStanding(h, 0, "near_poverty", start.AddDays(-random.Between(180, 8 * 365)));
        }

        for (var i = 0; i < h.Members.Length; i++)
        {
            var age = h.Members[i].AgeOn(start);
            // Registered disability: ~5% of Koreans, most of them older.
            if (random.Chance(age < 20 ? 0.01 : age < 65 ? 0.04 : 0.12))
            {
                AddStanding(h, i, "disability_registered", start.AddDays(-random.Between(365, 30 * 365)));
            }

            // Long-term care grades: ~11% of those 65+, far more of the oldest.
            if (age >= 65 && random.Chance(age >= 80 ? 0.25 : 0.05))
            {
                AddStanding(h, i, "long_term_care", start.AddDays(-random.Between(180, 6 * 365)));
            }
        }

        if (h.Crisis == CrisisKind.JobLoss && h.CrisisOnsetDay < 0 && random.Chance(0.45))
        {
            AddStanding(h, 0, "job_loss", _calendar.DateOf(h.CrisisOnsetDay));
        }
    }

    private void AddStanding(SimHousehold h, int person, string kind, DateOnly date)
    {
        var birth = h.Members[person].BirthDate;
        var day = date > birth ? date : birth.AddDays(1);
        if (day >= _calendar.Start)
        {
            return;
        }

        h.Welfare.Add(new WelfareRow(person, kind, day, 0));
    }

    private void WindowWelfare(Random random, SimHousehold h)
    {
        var days = _calendar.Days;
        if (h.Crisis == CrisisKind.JobLoss && h.CrisisOnsetDay >= 0 && random.Chance(0.45))
        {
            AddEvent(h, 0, "job_loss", h.CrisisOnsetDay + random.Between(0, 30));
        }

        if (h.Crisis == CrisisKind.Illness && h.CrisisOnsetDay >= -30 && random.Chance(0.3))
        {
            AddEvent(h, 0, "medical_overspend", h.CrisisOnsetDay + random.Between(10, 60));
        }

        // Events that look like trouble but come without a crisis: the confounders of the welfare feed.
        var scale = days / 180.0;
        for (var i = 0; i < h.Members.Length; i++)
        {
            var m = h.Members[i];
            var age = m.AgeOn(_calendar.Start);
            if (m.Works && h.Crisis == CrisisKind.None && random.Chance(0.01 * scale))
            {
                AddEvent(h, i, "job_loss", random.Between(0, days - 1));
            }

            if (random.Chance(0.003 * scale))
            {
                AddEvent(h, i, "medical_overspend", random.Between(0, days - 1));
            }

            if (age >= 75 && random.Chance(0.02 * scale))
            {
                AddEvent(h, i, "long_term_care", random.Between(0, days - 1));
            }

            if (random.Chance(0.002 * scale))
            {
                AddEvent(h, i, "disability_registered", random.Between(0, days - 1));
            }
        }

        if (h.BasicLivelihood && random.Chance(0.03 * scale))
        {
            AddEvent(h, 0, "basic_livelihood_end", random.Between(0, days - 1));
        }
        else if (!h.BasicLivelihood && !h.NearPoverty && random.Chance(0.002 * scale))
        {
            AddEvent(h, 0, "near_poverty", random.Between(0, days - 1));
        }
    }

    /// <summary>An event in the window, written in the file of its own date; nothing for the dead or the gone.</summary>
    private void AddEvent(SimHousehold h, int person, string kind, int day)
    {
        if (day < 0 || day > _calendar.LastDay || day >= h.Members[person].DeathDay || day >= h.UnregisteredMoveDay)
        {
            return;
        }

        h.Welfare.Add(new WelfareRow(person, kind, _calendar.DateOf(day), day));
    }

    private void DrawReports(Random random, SimHousehold h)
    {
        var last = _calendar.LastDay;
        if (h.Crisis != CrisisKind.None && h.CrisisReported)
        {
            var day = Math.Max(0, h.CrisisOnsetDay) + random.Between(14, 120);
            if (day < h.CrisisNaturalEndDay)
            {
                var channel = random.Pick(CrisisChannelWeights);
                var note = CrisisChannels[channel] == "landlord" ? CrisisNotes[5] : CrisisNotes[random.Next(5)];
                AddReport(random, h, day, CrisisChannels[channel], note);
            }
        }

        // Worried neighbours and volunteers report households that turn out fine.
        var elderAlone = h.LivesAlone && h.Head.AgeOn(_calendar.Start) >= 65;
        if (random.Chance((elderAlone ? 0.008 : 0.0015) * _calendar.Days / 180.0))
        {
            var channel = random.Pick([0.45, 0.35, 0, 0, 0.20, 0]);
            AddReport(random, h, random.Between(0, last), CrisisChannels[channel], "안부가 걱정됨");
        }

        // A dark flat during a trip or a hospital stay worries the neighbours too.
        foreach (var t in h.Trips)
        {
            if (t.End - t.Start >= 3 && random.Chance(0.01))
            {
                AddReport(random, h, random.Between(t.Start + 2, t.End), "neighbor", "며칠째 인기척이 없음");
            }
        }

        foreach (var s in h.HospitalStays)
        {
            if (s.End - s.Start >= 3 && s.End < h.DeathDay && random.Chance(0.05))
            {
                AddReport(random, h, random.Between(s.Start + 2, s.End), "neighbor", "며칠째 인기척이 없음");
            }
        }
    }

    private void AddReport(Random random, SimHousehold h, int day, string channel, string note)
    {
        // Nobody reports a household already known to be gone.
        if (day < 0 || day > _calendar.LastDay || (h.DiedAlone && day > h.DiscoveryDay) || (h.LivesAlone && !h.DiedAlone && day > h.DeathDay))
        {
            return;
        }

        h.Reports.Add(new ReportRow(day, random.Between(8 * 60, (21 * 60) + 59), channel, note));
    }

    private void Visit(Random random, SimHousehold h)
    {
        var last = _calendar.LastDay;
        // Everything is drawn up front, so the stream never depends on what the visits change; the lists are then
        // evaluated in date order, after the visits before them may have ended a crisis and its arrears.
        var timeline = new PriorityQueue<Planned, (int Day, int Order)>();
        var order = 0;
        foreach (var r in h.Reports)
        {
            if (random.Chance(0.9))
            {
                var day = r.Day + random.Between(1, 10);
                timeline.Enqueue(new Planned(day, FromReport: true, ListMonth: -1), (day, order++));
            }
        }

        // Routine outreach (안부 확인, 복지 상담) concentrates on lone elderly and recipients.
        var elderAlone = h.LivesAlone && h.Head.AgeOn(_calendar.Start) >= 65;
        var monthly = elderAlone || h.BasicLivelihood ? 0.02 : h.NearPoverty ? 0.015 : 0.001;
        for (var block = 0; block < _calendar.Days; block += 30)
        {
            if (random.Chance(monthly))
            {
                var day = random.Between(block, Math.Min(last, block + 29));
                timeline.Enqueue(new Planned(day, FromReport: false, ListMonth: -1), (day, order++));
            }
        }

        // The bi-monthly lists: households with an account 3+ months overdue in the last report before the list date.
        for (var month = _calendar.MonthOfDay(0); month <= _calendar.MonthOfDay(last); month++)
        {
            var listDay = _calendar.DayOf(DistrictCalendar.DateInMonth(month, ListDayOfMonth));
            var selected = random.Chance(ListVisitShare);
            var delay = random.Between(3, 20);
            if (DistrictCalendar.CalendarMonth(month) % 2 == 1 && listDay >= 0 && listDay <= last && selected)
            {
                timeline.Enqueue(new Planned(listDay, FromReport: false, ListMonth: month, ListDelay: delay), (listDay, order++));
            }
        }

        var lastVisit = -1_000_000; // far enough back that the 30-day rule below cannot overflow
        while (timeline.TryDequeue(out var planned, out _))
        {
            var day = planned.Day;
            if (planned.ListMonth >= 0)
            {
                if (h.Arrears.Any(e => e.MonthsOverdue(planned.ListMonth - 1) >= 3))
                {
                    timeline.Enqueue(planned with { Day = day + planned.ListDelay, ListMonth = -1 }, (day + planned.ListDelay, order++));
                }

                continue;
            }

            if (day > last || day == lastVisit || (!planned.FromReport && day - lastVisit < 30))
            {
                continue;
            }

            if (h.DiedAlone && h.DeathDay < day)
            {
                if (day < h.DiscoveryDay)
                {
                    // The visit finds the death.
                    h.DiscoveryDay = day;
                    h.Visits.Add(new VisitRow(day, "died_alone", day - h.DeathDay));
                }

                break;
            }

            if (h.LivesAlone && h.DeathDay <= day)
            {
                break;
            }

            lastVisit = day;
            var outcome = Outcome(random, h, day);
            h.Visits.Add(new VisitRow(day, outcome, -1));
            FollowUp(random, h, day, outcome);
        }

        if (h.DiedAlone && h.DiscoveryDay == h.NaturalDiscoveryDay && h.DiscoveryDay <= last)
        {
            // Found by a neighbour, the landlord, a courier or family; about half of them call it in first.
            var day = h.DiscoveryDay;
            if (random.Chance(0.55))
            {
                var channel = random.Pick(DeathChannelWeights);
                h.Reports.Add(new ReportRow(day, random.Between(8 * 60, 18 * 60), DeathChannels[channel], DeathNotes[random.Next(DeathNotes.Length)]));
            }

            h.Visits.Add(new VisitRow(day, "died_alone", day - h.DeathDay));
        }

        if (h.DiedAlone)
        {
            // A visit may have found the death before a report drawn for later: such a report was never made.
            h.Reports.RemoveAll(r => r.Day > h.DiscoveryDay);
        }
    }

    /// <summary>A visit to come, or (with <c>ListMonth</c>) a bi-monthly list that may put the household on the round.</summary>
    private readonly record struct Planned(int Day, bool FromReport, int ListMonth, int ListDelay = 0);

    private static string Outcome(Random random, SimHousehold h, int day)
    {
        if (h.States[day] is DayState.Trip or DayState.Hospital or DayState.CriticalCare or DayState.MovedAway)
        {
            return "unreachable";
        }

        // A household in crisis is mostly supported or confirmed; one without still often gets a service linked,
        // which is why about half of all visits end `supported`.
        return h.InCrisisOn(day)
            ? random.Pick([0.68, 0.17, 0.06, 0.09]) switch { 0 => "supported", 1 => "crisis_confirmed", 2 => "refused", _ => "unreachable" }
            : random.Pick([0.42, 0.33, 0.14, 0.11]) switch { 0 => "supported", 1 => "no_crisis", 2 => "unreachable", _ => "refused" };
    }

    private void FollowUp(Random random, SimHousehold h, int day, string outcome)
    {
        var inCrisis = h.InCrisisOn(day);
        if (outcome == "supported" && inCrisis)
        {
            // Emergency aid and linked services end the crisis within weeks, and with it the crisis arrears.
            h.CrisisEndDay = Math.Min(h.CrisisEndDay, day + random.Between(20, 60));
            var paidMonth = DistrictCalendar.MonthOf(_calendar.DateOf(h.CrisisEndDay)) + 1;

            foreach (var e in h.Arrears)
            {
                if (e.FromCrisis)
                {
                    e.EndMonth = Math.Max(e.StartMonth, Math.Min(e.EndMonth, paidMonth));
                }
            }

            if (random.Chance(0.35))
            {
                AddEvent(h, 0, "emergency_aid", day + random.Between(3, 20));
            }

            if (!h.BasicLivelihood && random.Chance(0.12))
            {
                AddEvent(h, 0, "basic_livelihood_start", day + random.Between(20, 60));
            }
            else if (!h.BasicLivelihood && !h.NearPoverty && random.Chance(0.06))
            {
                AddEvent(h, 0, "near_poverty", day + random.Between(10, 40));
            }
        }
        else if (outcome == "supported" && random.Chance(0.05))
        {
            AddEvent(h, 0, "emergency_aid", day + random.Between(3, 20));
        }
        else if (outcome == "crisis_confirmed" && random.Chance(0.15))
        {
            AddEvent(h, 0, "emergency_aid", day + random.Between(7, 30));
        }
    }

    private void RegisterChanges(Random random, SimHousehold h)
    {
        var last = _calendar.LastDay;
        var events = new List<(int ReportDay, int Person, string Status, int StatusDay)>(2);
        if (h.DiedAlone)
        {
            // A lonely death reaches the registry on the day it is found.
            if (h.DiscoveryDay <= last)
            {
                events.Add((h.DiscoveryDay, 0, "deceased", h.DeathDay));
            }
        }
        else if (h.DeathDay <= last)
        {
            // An ordinary death is reported by the family or the hospital a day or two later.
            events.Add((h.DeathDay + random.Between(1, 2), h.DeadMember, "deceased", h.DeathDay));
        }

        // A grown child moves out (registered); only from households of 3+, so nobody is left living alone.
        if (h.Members.Length >= 3 && random.Chance(0.03 * _calendar.Days / 180.0))
        {
            var day = random.Between(1, last);
            var delay = random.Between(0, 10);
            for (var i = 1; i < h.Members.Length; i++)
            {
                var m = h.Members[i];
                if (m.AgeOn(_calendar.Start) is >= 19 and <= 40 && i != h.DeadMember && day < h.UnregisteredMoveDay)
                {
                    events.Add((day + delay, i, "moved_out", day));
                    break;
                }
            }
        }

        events.Sort((a, b) => a.ReportDay.CompareTo(b.ReportDay));
        var present = Enumerable.Range(0, h.Members.Length).ToList();
        var head = 0;
        foreach (var (reportDay, person, status, statusDay) in events)
        {
            if (reportDay > last)
            {
                continue;
            }

            var wasHead = person == head;
            present.Remove(person);
            var member = h.Members[person];
            if (status == "moved_out")
            {
                member.MovedOutDay = statusDay;
                member.TelecomEndDay = reportDay + 1;
            }
            else
            {
                // The line is closed by the family some days after the death is registered.
                member.TelecomEndDay = reportDay + random.Between(5, 30);
            }

            if (wasHead && present.Count > 0)
            {
                // The oldest remaining member becomes head.
                head = present.OrderBy(i => h.Members[i].BirthDate).First();
            }

            h.RegistryChanges.Add(new RegistryChange(reportDay, person, status, _calendar.DateOf(statusDay),
                Math.Max(1, present.Count), wasHead));
            foreach (var i in present)
            {
                h.RegistryChanges.Add(new RegistryChange(reportDay, i, "active", null, present.Count, i == head));
            }
        }
    }

    private void BlockTelecom(SimHousehold h)
    {
        h.TelecomBlocked = null;
        foreach (var e in h.Arrears)
        {
            if (e.Source != ArrearsSource.Telecom || e.EndMonth - e.StartMonth < 2)
            {
                continue;
            }

            // Outgoing service is suspended from the report showing two months unpaid until the report showing it paid.
            var from = _calendar.DayOf(ArrearsReporting.ReportDate(ArrearsSource.Telecom, e.StartMonth + 1));
            var to = _calendar.DayOf(ArrearsReporting.ReportDate(ArrearsSource.Telecom, e.EndMonth)) - 1;
            from = Math.Max(0, from);
            to = Math.Min(_calendar.LastDay, to);
            if (from > to)
            {
                continue;
            }

            h.TelecomBlocked ??= new bool[_calendar.Days];
            for (var d = from; d <= to; d++)
            {
                h.TelecomBlocked[d] = true;
            }
        }
    }
}
