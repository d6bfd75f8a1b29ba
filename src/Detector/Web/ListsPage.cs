using System.Globalization;
using System.Net;
using System.Text;
using RiskWatch.Detector.Queue;

namespace RiskWatch.Detector.Web;

/// <summary>
/// The read-only page of the day's lists, Korean first. No identity is shown here: the page serves loopback only and
/// identity views come with signed-in officers and their audit trail.
/// </summary>
internal static class ListsPage
{
    public static string Render(DateOnly? date, IReadOnlyList<(string Dong, IReadOnlyList<QueueEntry> Entries)> lists)
    {
        var html = new StringBuilder();
        html.Append("""
            <!doctype html>
            <html lang="ko"><head><meta charset="utf-8"><title>RiskWatch — 오늘의 방문 목록</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
              body{font-family:"Noto Sans KR","NanumGothic",system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
              h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:1.6rem}
              table{border-collapse:collapse;width:100%;font-size:.92rem} th,td{border-bottom:1px solid #d8dee4;padding:.35rem .5rem;text-align:left;vertical-align:top}
              th{background:#f3f5f7} .urgent{color:#b42318;font-weight:700} .high{color:#b54708;font-weight:600} .num{text-align:right}
              .muted{color:#57606a} ul{margin:0;padding-left:1.1rem}
            </style></head><body>
            """);
        html.Append("<h1>오늘의 방문 목록 <span class=\"muted\">(today's visit lists)</span></h1>");
        if (date is null)
        {
            html.Append("<p>아직 야간 분석이 실행되지 않았습니다. <span class=\"muted\">(No nightly pass has run yet.)</span></p>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>기준일 <b>{date:yyyy-MM-dd}</b> · 동 {lists.Count}곳 · 사례 {lists.Sum(l => l.Entries.Count)}건</p>");
        }

        foreach (var (dong, entries) in lists)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"dong-{Encode(dong)}\">행정동 {Encode(dong)} <span class=\"muted\">— {entries.Count}건</span></h2>");
            if (entries.Count == 0)
            {
                html.Append("<p class=\"muted\">방문할 가구가 없습니다 (no open cases).</p>");
                continue;
            }

            html.Append("<table><thead><tr><th>#</th><th>등급 (priority)</th><th>경로 (lane)</th><th class=\"num\">위기</th><th class=\"num\">고독사</th><th>사유 (reasons)</th><th>가구 키</th><th>플래그일</th><th>상태</th></tr></thead><tbody>");
            var rank = 0;
            foreach (var e in entries)
            {
                rank++;
                html.Append(CultureInfo.InvariantCulture, $"<tr data-case=\"{Encode(e.CaseId)}\"><td>{rank}</td><td class=\"{Encode(e.Priority)}\">{Grade(e.Priority)}</td><td>{Encode(e.Lane)}</td>");
                html.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{e.CrisisScore:0.00}</td><td class=\"num\">{e.LonelyDeathScore:0.00}</td><td><ul>");
                foreach (var reason in e.Reasons)
                {
                    html.Append("<li>").Append(Encode(reason)).Append("</li>");
                }

                html.Append(CultureInfo.InvariantCulture, $"</ul></td><td><code>{Encode(e.HouseholdKey[..12])}</code></td><td>{Encode(e.FlaggedOn)}</td><td>{Encode(e.Status)}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</body></html>");
        return html.ToString();
    }

    private static string Grade(string priority) => priority switch
    {
        "urgent" => "심각 (urgent)",
        "high" => "주의 (high)",
        _ => "관심 (normal)",
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
