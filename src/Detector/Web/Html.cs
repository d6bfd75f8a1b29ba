using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;

namespace RiskWatch.Detector.Web;

/// <summary>
/// The pages' shared frame: Korean first, English on request (a cookie set by /lang), the signed-in user and the menu.
/// Pages are plain server-rendered HTML: officers open them on office PCs where a script bundle is one more thing to break.
/// </summary>
internal sealed class Html(HttpContext context)
{
    public const string LanguageCookie = "rw-lang";

    public bool English { get; } = context.Request.Cookies[LanguageCookie] == "en";

    public Viewer? Viewer { get; } = Viewer.Of(context.User);

    /// <summary>The label in the page's language.</summary>
    public string T(string korean, string english) => English ? english : korean;

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The hidden anti-forgery field every form posts back.</summary>
    public string Token()
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";
    }

    public IResult Page(string title, string body, int status = 200)
    {
        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="{{(English ? "en" : "ko")}}"><head><meta charset="utf-8"><title>RiskWatch — {{E(title)}}</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
              body{font-family:"Noto Sans KR","NanumGothic",system-ui,sans-serif;margin:0;color:#1b1f24}
              header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.5rem;background:#12355b;color:#fff}
              header a{color:#fff} header .grow{flex:1} header form{display:inline}
              main{padding:1rem 1.5rem} h1{font-size:1.35rem} h2{font-size:1.1rem;margin-top:1.5rem}
              table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid #d8dee4;padding:.3rem .45rem;text-align:left;vertical-align:top}
              th{background:#f3f5f7;white-space:nowrap} table.queue td{white-space:nowrap} table.queue td.reasons{white-space:normal} .urgent{color:#b42318;font-weight:700} .high{color:#b54708;font-weight:600} .num{text-align:right}
              .muted{color:#57606a} ul{margin:0;padding-left:1.1rem} .card{border:1px solid #d8dee4;border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
              .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:1rem} .added{color:#067647} .removed{color:#b42318}
              .error{background:#fef3f2;border:1px solid #fda29b;padding:.5rem .8rem} label{display:inline-block;margin:.2rem .6rem .2rem 0}
              input[type=number]{width:5.5rem} button{cursor:pointer}
            </style></head><body>
            <header><b>RiskWatch</b><span class="grow">{{T("위기가구 조기 발굴", "finding households in crisis early")}}</span>
            """);
        if (Viewer is { } viewer)
        {
            page.Append(CultureInfo.InvariantCulture, $"<a href=\"/lists\">{T("방문 목록", "Visit lists")}</a>");
            if (viewer.IsAnalyst)
            {
                page.Append(CultureInfo.InvariantCulture, $"<a href=\"/analyst\">{T("기준 조정", "Threshold tuning")}</a>");
            }

            if (viewer.Role == Accounts.AppUser.Admin)
            {
                page.Append("<a href=\"/hangfire\">Hangfire</a>");
            }

            page.Append(CultureInfo.InvariantCulture, $"<span>{E(viewer.Name)} ({E(viewer.Role)})</span><form method=\"post\" action=\"/signout\">{Token()}<button>{T("로그아웃", "Sign out")}</button></form>");
        }

        page.Append(CultureInfo.InvariantCulture, $"<a id=\"lang\" href=\"/lang?to={(English ? "ko" : "en")}&amp;back={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}\">{(English ? "한국어" : "English")}</a>");
        page.Append("</header><main>").Append(body).Append("</main></body></html>");
        return Results.Content(page.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public string Grade(string priority) => priority switch
    {
        "urgent" => T("심각", "urgent"),
        "high" => T("주의", "high"),
        _ => T("관심", "normal"),
    };

    public string Status(string status) => status switch
    {
        "new" => T("신규", "new"),
        "assigned" => T("배정", "assigned"),
        "visited" => T("방문", "visited"),
        "closed" => T("종결", "closed"),
        _ => E(status),
    };

    public string Outcome(string? outcome) => outcome switch
    {
        "crisis_confirmed" => T("위기 확인", "crisis confirmed"),
        "supported" => T("지원 연계", "supported"),
        "no_crisis" => T("위기 아님", "no crisis"),
        "unreachable" => T("만나지 못함", "unreachable"),
        "refused" => T("거부", "refused"),
        "died_alone" => T("고독사", "died alone"),
        null => "",
        _ => E(outcome),
    };
}

/// <summary>Who is signed in, read from the cookie's claims: the role and, for an officer, the dongs they work for.</summary>
internal sealed record Viewer(string Name, string Role, IReadOnlyList<string> Dongs)
{
    public const string DongClaim = "rw:dong";

    public bool IsAnalyst => Role is Accounts.AppUser.Analyst or Accounts.AppUser.Admin;

    /// <summary>Officers see their own dongs only; analysts and admins see every dong's list (never identity: see <see cref="CanAct"/>).</summary>
    public bool CanSee(string dongCode) => Role != Accounts.AppUser.Officer || Dongs.Contains(dongCode, StringComparer.Ordinal);

    /// <summary>Assign, visit, close and reveal identity: the dong's own officers, and admins.</summary>
    public bool CanAct(string dongCode) =>
        Role == Accounts.AppUser.Admin || (Role == Accounts.AppUser.Officer && Dongs.Contains(dongCode, StringComparer.Ordinal));

    public static Viewer? Of(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.Identity.Name is { } name
            ? new Viewer(name, user.FindFirstValue(ClaimTypes.Role) ?? "", user.FindAll(DongClaim).Select(c => c.Value).ToList())
            : null;
}
