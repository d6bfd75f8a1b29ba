using System.Globalization;
using System.Text;
using RiskWatch.Detector.Accounts;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Queue;

namespace RiskWatch.Detector.Web;

/// <summary>
/// The officer's morning: the day's ranked list of their dongs, a case page with the household's signals, the audited
/// identity view, assignment and the visit outcome. An officer reaches no other dong: its cases are 404, its lists 403.
/// </summary>
internal static class OfficerPages
{
    private const int ChartDays = 60;

    public static void Map(IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").RequireAuthorization();
        pages.MapGet("/lists", ListsAsync);
        pages.MapGet("/lists/export.csv", ExportAsync);
        pages.MapGet("/api/queue", ApiAsync);
        pages.MapGet("/cases/{caseId}", (HttpContext context, CaseFile cases, string caseId) =>
            CasePageAsync(context, cases, caseId, identity: null, error: null));
        pages.MapPost("/cases/{caseId}/identity", RevealAsync);
        pages.MapPost("/cases/{caseId}/assign", AssignAsync);
        pages.MapPost("/cases/{caseId}/outcome", OutcomeAsync);
    }

    private static async Task<IResult> ListsAsync(
        HttpContext context, DongQueue queue, string? dong, string? date, string? priority, string? status, string? lane)
    {
        var html = new Html(context);
        var viewer = html.Viewer!;
        if (dong is not null && !viewer.CanSee(dong))
        {
            return Results.Forbid();
        }

        var ct = context.RequestAborted;
        var day = IsoDate.TryParse(date, out var d) ? d : await queue.LatestRunDateAsync(ct);
        var dongs = (await queue.DongsAsync(ct)).Where(viewer.CanSee).ToList();
        var shown = dong is null ? dongs : [dong];
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<h1>{html.T("오늘의 방문 목록", "Today's visit list")}</h1>");
        if (day is not { } runDate)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p>{html.T("아직 야간 분석이 실행되지 않았습니다.", "No nightly pass has run yet.")}</p>");
            return html.Page(html.T("방문 목록", "Visit lists"), body.ToString());
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            <form method="get" action="/lists" class="card" id="filters">
              <label>{html.T("행정동", "Dong")} <select name="dong"><option value="">{html.T("전체", "all")}</option>
              {string.Join("", dongs.Select(c => $"<option value=\"{Html.E(c)}\"{(c == dong ? " selected" : "")}>{Html.E(c)}</option>"))}</select></label>
              <label>{html.T("등급", "Priority")} <select name="priority">{Options(priority, ("", html.T("전체", "all")), ("urgent", html.Grade("urgent")), ("high", html.Grade("high")), ("normal", html.Grade("normal")))}</select></label>
              <label>{html.T("경로", "Lane")} <select name="lane">{Options(lane, ("", html.T("전체", "all")), ("model", "model"), ("flatline", "flatline"))}</select></label>
              <label>{html.T("상태", "Status")} <select name="status">{Options(status, ("", html.T("전체", "all")), ("new", html.Status("new")), ("assigned", html.Status("assigned")), ("visited", html.Status("visited")))}</select></label>
              <input type="hidden" name="date" value="{IsoDate.Text(runDate)}">
              <button type="submit">{html.T("적용", "Apply")}</button>
            </form>
            <p>{html.T("기준일", "As of")} <b id="run-date">{IsoDate.Text(runDate)}</b></p>
            """);
        foreach (var code in shown)
        {
            var entries = (await queue.ReadAsync(code, runDate, ct))
                .Where(e => string.IsNullOrEmpty(priority) || e.Priority == priority)
                .Where(e => string.IsNullOrEmpty(status) || e.Status == status)
                .Where(e => string.IsNullOrEmpty(lane) || e.Lane.Split('+').Contains(lane))
                .ToList();
            body.Append(CultureInfo.InvariantCulture, $"""
                <h2 id="dong-{Html.E(code)}">{html.T("행정동", "Dong")} {Html.E(code)} <span class="muted">— {entries.Count}{html.T("건", " cases")}</span>
                <a href="/lists/export.csv?dong={Html.E(code)}&amp;date={IsoDate.Text(runDate)}" class="muted" style="font-size:.85rem">CSV</a></h2>
                """);
            if (entries.Count == 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{html.T("방문할 가구가 없습니다.", "No open cases.")}</p>");
                continue;
            }

            body.Append(CultureInfo.InvariantCulture, $"<table class=\"queue\"><thead><tr><th>#</th><th>{html.T("등급", "Priority")}</th><th>{html.T("경로", "Lane")}</th><th class=\"num\">{html.T("위기", "Crisis")}</th><th class=\"num\">{html.T("고독사", "Lonely death")}</th><th>{html.T("사유", "Reasons")}</th><th class=\"num\">{html.T("경과일", "Days flagged")}</th><th>{html.T("상태", "Status")}</th><th></th></tr></thead><tbody>");
            var rank = 0;
            foreach (var e in entries)
            {
                rank++;
                var days = runDate.DayNumber - IsoDate.Parse(e.FlaggedOn).DayNumber;
                body.Append(CultureInfo.InvariantCulture, $"<tr data-case=\"{Html.E(e.CaseId)}\"><td>{rank}</td><td class=\"{Html.E(e.Priority)}\">{html.Grade(e.Priority)}</td><td>{Html.E(e.Lane)}</td>");
                body.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Html.F(e.CrisisScore)}</td><td class=\"num\">{Html.F(e.LonelyDeathScore)}</td><td class=\"reasons\"><ul>");
                foreach (var reason in e.Reasons)
                {
                    body.Append("<li>").Append(Html.E(reason)).Append("</li>");
                }

                body.Append(CultureInfo.InvariantCulture, $"</ul></td><td class=\"num\">{days}</td><td>{html.Status(e.Status)}</td><td><a class=\"open-case\" href=\"/cases/{Html.E(e.CaseId)}\">{html.T("열기", "Open")}</a></td></tr>");
            }

            body.Append("</tbody></table>");
        }

        return html.Page(html.T("방문 목록", "Visit lists"), body.ToString());
    }

    private static async Task<IResult> ExportAsync(HttpContext context, DongQueue queue, string dong, string? date)
    {
        var viewer = Viewer.Of(context.User)!;
        if (!viewer.CanSee(dong))
        {
            return Results.Forbid();
        }

        var day = IsoDate.TryParse(date, out var d) ? d : await queue.LatestRunDateAsync(context.RequestAborted);
        var entries = day is { } runDate ? await queue.ReadAsync(dong, runDate, context.RequestAborted) : [];
        await using var writer = new StringWriter(CultureInfo.InvariantCulture);
        QueueExport.WriteCsv(entries, writer, withIdentity: false);
        return Results.File(
            new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(writer.ToString())).ToArray(),
            "text/csv; charset=utf-8",
            $"queue_{dong}_{(day is { } x ? IsoDate.Text(x) : "none")}.csv");
    }

    private static async Task<IResult> ApiAsync(HttpContext context, DongQueue queue, string dong, string? date)
    {
        if (!Viewer.Of(context.User)!.CanSee(dong))
        {
            return Results.Forbid();
        }

        var day = IsoDate.TryParse(date, out var d) ? d : await queue.LatestRunDateAsync(context.RequestAborted);
        return day is { } runDate
            ? Results.Text(QueueExport.ToJson(await queue.ReadAsync(dong, runDate, context.RequestAborted)), "application/json; charset=utf-8")
            : Results.Text("[]", "application/json; charset=utf-8");
    }

    private static async Task<IResult> RevealAsync(HttpContext context, CaseFile cases, IdentityLookup identities, string caseId)
    {
        var form = await Forms.ReadAsync(context);
        var found = await cases.FindAsync(caseId, context.RequestAborted);
        var viewer = Viewer.Of(context.User)!;
        if (form is null)
        {
            return Results.BadRequest();
        }

        if (found is null || !viewer.CanSee(found.DongCode))
        {
            return Results.NotFound();
        }

        if (!viewer.CanAct(found.DongCode))
        {
            return Results.Forbid();
        }

        var why = form["reason"].ToString();
        if (string.IsNullOrWhiteSpace(why))
        {
            var html = new Html(context);
            return await CasePageAsync(context, cases, caseId, null, html.T("신원 조회 사유를 적어 주세요.", "Give a reason for viewing the identity."));
        }

        var identity = await identities.RevealAsync(found.HouseholdNo, viewer.Name, why, context.RequestAborted);
        return await CasePageAsync(context, cases, caseId, identity, error: null);
    }

    private static async Task<IResult> AssignAsync(HttpContext context, CaseFile cases, UserStore users, string caseId)
    {
        var (form, found, refusal) = await ActionAsync(context, cases, caseId);
        if (refusal is not null)
        {
            return refusal;
        }

        var assignee = form!["assignee"].ToString();
        var team = await users.OfficersOfAsync(found!.DongCode, context.RequestAborted);
        if (!team.Contains(assignee, StringComparer.Ordinal))
        {
            return await CasePageAsync(context, cases, caseId, null, new Html(context).T("이 동의 담당자가 아닙니다.", "Not an officer of this dong."));
        }

        try
        {
            await cases.AssignAsync(caseId, assignee, Viewer.Of(context.User)!.Name, context.RequestAborted);
        }
        catch (InvalidOperationException)
        {
            return await CasePageAsync(context, cases, caseId, null, new Html(context).T("종결된 사례입니다.", "The case is closed."));
        }

        return Results.Redirect($"/cases/{Uri.EscapeDataString(caseId)}");
    }

    private static async Task<IResult> OutcomeAsync(HttpContext context, CaseFile cases, string caseId)
    {
        var (form, _, refusal) = await ActionAsync(context, cases, caseId);
        if (refusal is not null)
        {
            return refusal;
        }

        var html = new Html(context);
        var outcome = form!["outcome"].ToString();
        var close = form["close"].ToString() == "on";
        if (!IsoDate.TryParse(form["visited_on"].ToString(), out var visitedOn))
        {
            visitedOn = SeoulClock.Today();
        }

        try
        {
            await cases.RecordOutcomeAsync(
                caseId, visitedOn, string.IsNullOrEmpty(outcome) ? null : outcome, form["services"].ToString(), close,
                Viewer.Of(context.User)!.Name, context.RequestAborted);
        }
        catch (ArgumentException)
        {
            return await CasePageAsync(context, cases, caseId, null, html.T("종결하려면 방문 결과를 선택해야 합니다.", "Closing a case needs the visit outcome."));
        }
        catch (InvalidOperationException)
        {
            return await CasePageAsync(context, cases, caseId, null, html.T("종결된 사례입니다.", "The case is closed."));
        }

        return Results.Redirect($"/cases/{Uri.EscapeDataString(caseId)}");
    }

    /// <summary>The checks every change to a case goes through: a valid form, a case the user can see (else 404) and act on (else 403).</summary>
    private static async Task<(IFormCollection? Form, CaseDetail? Case, IResult? Refusal)> ActionAsync(
        HttpContext context, CaseFile cases, string caseId)
    {
        var form = await Forms.ReadAsync(context);
        if (form is null)
        {
            return (null, null, Results.BadRequest());
        }

        var viewer = Viewer.Of(context.User)!;
        var found = await cases.FindAsync(caseId, context.RequestAborted);
        if (found is null || !viewer.CanSee(found.DongCode))
        {
            return (form, null, Results.NotFound());
        }

        return viewer.CanAct(found.DongCode) ? (form, found, null) : (form, found, Results.Forbid());
    }

    private static async Task<IResult> CasePageAsync(
        HttpContext context, CaseFile cases, string caseId, HouseholdIdentity? identity, string? error)
    {
        var html = new Html(context);
        var viewer = html.Viewer!;
        var ct = context.RequestAborted;
        var found = await cases.FindAsync(caseId, ct);
        if (found is null || !viewer.CanSee(found.DongCode))
        {
            // Another dong's case is indistinguishable from a case that does not exist.
            return html.Page(html.T("없는 사례", "No such case"), $"<h1>{html.T("사례를 찾을 수 없습니다.", "No such case.")}</h1>", StatusCodes.Status404NotFound);
        }

        var until = IsoDate.Parse(found.LastFlaggedOn);
        var signals = await cases.SignalsAsync(found.HouseholdNo, until, ChartDays, ct);
        var events = await cases.EventsAsync(caseId, ct);
        var team = await context.RequestServices.GetRequiredService<UserStore>().OfficersOfAsync(found.DongCode, ct);
        var canAct = viewer.CanAct(found.DongCode);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <p><a href="/lists?dong={Html.E(found.DongCode)}">← {html.T("목록", "List")}</a></p>
            <h1>{html.T("사례", "Case")} <code>{Html.E(found.CaseId)}</code> <span class="{Html.E(found.Priority)}">{html.Grade(found.Priority)}</span></h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"case-error\">{Html.E(error)}</p>")}
            <div class="card"><table>
              <tr><th>{html.T("행정동", "Dong")}</th><td>{Html.E(found.DongCode)}</td><th>{html.T("상태", "Status")}</th><td id="case-status">{html.Status(found.Status)}</td></tr>
              <tr><th>{html.T("경로", "Lane")}</th><td>{Html.E(found.Lane)}</td><th>{html.T("담당", "Assigned to")}</th><td id="case-assignee">{Html.E(found.AssignedTo)}</td></tr>
              <tr><th>{html.T("위기 점수", "Crisis score")}</th><td>{Html.F(found.CrisisScore)}</td><th>{html.T("고독사 점수", "Lonely-death score")}</th><td>{Html.F(found.LonelyDeathScore)}</td></tr>
              <tr><th>{html.T("최초 플래그", "First flagged")}</th><td>{Html.E(found.FlaggedOn)}</td><th>{html.T("방문 결과", "Outcome")}</th><td id="case-outcome">{html.Outcome(found.Outcome)}</td></tr>
              <tr><th>{html.T("모델", "Model")}</th><td class="muted">{Html.E(found.ModelVersion)}</td><th>{html.T("기준", "Policy")}</th><td class="muted">{Html.E(found.PolicyVersion)}</td></tr>
            </table></div>
            <h2>{html.T("사유", "Reasons")}</h2><ul id="reasons">{string.Join("", found.Reasons.Select(r => $"<li>{Html.E(r)}</li>"))}</ul>
            <h2>{html.T("최근 신호", "Recent signals")} <span class="muted">({ChartDays}{html.T("일", " days")})</span></h2>
            <div class="grid">
              {Svg.Line(html.T("전기 사용량 (kWh/일)", "Electricity (kWh/day)"), signals.Electricity.Select(e => (e.Date, e.Kwh)).ToList(), "#175cd3")}
              {Svg.Line(html.T("전기 활동 시간 (시간/일)", "Active hours (h/day)"), signals.Electricity.Select(e => (e.Date, (double?)e.ActiveHours)).ToList(), "#6941c6")}
              {Svg.Pair(html.T("통신: 발신(빨강)·수신(회색)", "Telecom: outgoing (red), incoming (grey)"), signals.Telecom.Select(t => (t.Date, (double)t.CallsOut, (double)t.CallsIn)).ToList(), "#b42318", "#8c959f")}
              {Svg.Bars(html.T("체납 개월 수 (보고별)", "Arrears, months overdue (per report)"), signals.Arrears.Select(a => (a.ReportedOn, a.Source, (double)a.MonthsOverdue)).ToList())}
            </div>
            """);

        body.Append(CultureInfo.InvariantCulture, $"<h2>{html.T("신원 정보", "Identity")}</h2>");
        if (identity is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"""
                <div class="card" id="identity"><table>
                  <tr><th>{html.T("세대번호", "Household no.")}</th><td>{Html.E(identity.HouseholdId)}</td></tr>
                  <tr><th>{html.T("세대주", "Head")}</th><td id="identity-name">{Html.E(identity.Name)}</td></tr>
                  <tr><th>{html.T("주소", "Address")}</th><td>{Html.E(identity.Address)}</td></tr>
                  <tr><th>{html.T("전화", "Phone")}</th><td>{Html.E(identity.Phone)}</td></tr>
                </table><p class="muted">{html.T("이 조회는 감사 기록에 남았습니다.", "This view was recorded in the audit trail.")}</p></div>
                """);
        }
        else if (canAct)
        {
            body.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="/cases/{Html.E(found.CaseId)}/identity" class="card" id="reveal-form">{html.Token()}
                  <p class="muted">{html.T("이름·주소·전화는 사유를 남겨야 볼 수 있으며, 조회는 감사 기록에 남습니다.", "Name, address and phone are shown only with a reason; the view is audited.")}</p>
                  <label>{html.T("조회 사유", "Reason")} <input name="reason" id="reveal-reason" size="40" required></label>
                  <button type="submit" id="reveal">{html.T("신원 보기", "Show identity")}</button>
                </form>
                """);
        }
        else
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{html.T("담당 공무원만 신원을 볼 수 있습니다.", "Only the dong's officers can view identity.")}</p>");
        }

        if (canAct && found.Status != "closed")
        {
            body.Append(CultureInfo.InvariantCulture, $"""
                <h2>{html.T("배정", "Assign")}</h2>
                <form method="post" action="/cases/{Html.E(found.CaseId)}/assign" class="card" id="assign-form">{html.Token()}
                  <label>{html.T("담당자", "Team member")} <select name="assignee" id="assignee">{string.Join("", team.Select(n => $"<option{(n == found.AssignedTo ? " selected" : "")}>{Html.E(n)}</option>"))}</select></label>
                  <button type="submit" id="assign">{html.T("배정", "Assign")}</button>
                </form>
                <h2>{html.T("방문 결과", "Visit outcome")}</h2>
                <form method="post" action="/cases/{Html.E(found.CaseId)}/outcome" class="card" id="outcome-form">{html.Token()}
                  <label>{html.T("방문일", "Visited on")} <input type="date" name="visited_on" value="{IsoDate.Text(SeoulClock.Today())}"></label>
                  <label>{html.T("결과", "Outcome")} <select name="outcome" id="outcome"><option value="">—</option>{string.Join("", CaseFile.Outcomes.Select(o => $"<option value=\"{o}\">{html.Outcome(o)}</option>"))}</select></label>
                  <label>{html.T("연계 서비스", "Services linked")} <input name="services" id="services" size="30" placeholder="{html.T("예: 긴급복지, 기초생활 신청", "e.g. emergency aid, livelihood application")}"></label>
                  <label><input type="checkbox" name="close" id="close"> {html.T("종결", "Close the case")}</label>
                  <button type="submit" id="record">{html.T("기록", "Record")}</button>
                </form>
                """);
        }

        if (events.Count > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<h2>{html.T("처리 이력", "History")}</h2><table id=\"events\"><tr><th>{html.T("시각", "When")}</th><th>{html.T("누가", "Who")}</th><th>{html.T("무엇", "What")}</th><th></th></tr>");
            foreach (var e in events)
            {
                body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(e.At[..Math.Min(19, e.At.Length)])}</td><td>{Html.E(e.Actor)}</td><td>{Html.E(e.Kind)}</td><td>{Html.E(e.Detail)}</td></tr>");
            }

            body.Append("</table>");
        }

        return html.Page(html.T("사례", "Case") + " " + found.CaseId, body.ToString());
    }

    private static string Options(string? selected, params (string Value, string Label)[] options) =>
        string.Join("", options.Select(o => $"<option value=\"{Html.E(o.Value)}\"{(o.Value == (selected ?? "") ? " selected" : "")}>{o.Label}</option>"));
}
