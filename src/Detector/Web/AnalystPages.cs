using System.Globalization;
using System.Text;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Policy;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Detector.Web;

/// <summary>
/// The analyst's question — "if we take 5 more cases a day per dong, how many more real crises do we reach, and whom do we
/// miss?": the current models' held-out precision and recall by rank, calibration, today's expected cases, a what-if of
/// today's list under a proposed policy beside the live one, and the versioned policy with save and rollback.
/// </summary>
internal static class AnalystPages
{
    public const string Policy = "analyst";

    public static void Map(IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/analyst").RequireAuthorization(Policy);
        pages.MapGet("", PageAsync);
        pages.MapPost("/policy", SaveAsync);
        pages.MapPost("/policy/{versionNo:long}/rollback", RollBackAsync);
    }

    private static async Task<IResult> PageAsync(HttpContext context, PolicyStore policies, ModelRegistry models, WhatIf whatIf, RiskWatchSettings settings)
    {
        var (live, stamp) = await policies.LiveAsync(settings.Home, context.RequestAborted);
        var proposed = Proposed(context.Request.Query, live, out var problem);
        return await RenderAsync(context, policies, models, whatIf, live, stamp, proposed, problem);
    }

    private static async Task<IResult> SaveAsync(HttpContext context, PolicyStore policies, ModelRegistry models, WhatIf whatIf, RiskWatchSettings settings, Serilog.ILogger logger)
    {
        var form = await Forms.ReadAsync(context);
        if (form is null)
        {
            return Results.BadRequest();
        }

        var (live, stamp) = await policies.LiveAsync(settings.Home, context.RequestAborted);
        var proposed = Proposed(form, live, out var problem);
        var html = new Html(context);
        if (problem is null && string.IsNullOrWhiteSpace(form["reason"]))
        {
            problem = html.T("변경 사유를 적어 주세요.", "Give a reason for the change.");
        }

        if (problem is not null)
        {
            return await RenderAsync(context, policies, models, whatIf, live, stamp, proposed, problem);
        }

        var saved = await policies.SaveAsync(proposed, html.Viewer!.Name, form["reason"].ToString(), null, context.RequestAborted);
        logger.Information("Threshold policy version {VersionNo} ({PolicyHash}) saved", saved.VersionNo, saved.Policy.Version);
        return Results.Redirect("/analyst");
    }

    private static async Task<IResult> RollBackAsync(HttpContext context, PolicyStore policies, long versionNo, Serilog.ILogger logger)
    {
        var form = await Forms.ReadAsync(context);
        if (form is null)
        {
            return Results.BadRequest();
        }

        var reason = form["reason"].ToString();
        var saved = await policies.RollBackAsync(
            versionNo, Viewer.Of(context.User)!.Name, string.IsNullOrWhiteSpace(reason) ? $"rollback to v{versionNo}" : reason, context.RequestAborted);
        logger.Information("Threshold policy rolled back to version {FromVersion} as version {VersionNo}", versionNo, saved.VersionNo);
        return Results.Redirect("/analyst");
    }

    /// <summary>The proposed policy: the live one with whatever the query or form sets.</summary>
    private static ThresholdPolicy Proposed(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> values, ThresholdPolicy live, out string? problem)
    {
        var map = values.ToDictionary(v => v.Key, v => v.Value.ToString(), StringComparer.Ordinal);
        double D(string key, double fallback) =>
            map.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;
        int I(string key, int fallback) =>
            map.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

        var byDong = live.CapacityByDong.ToDictionary(StringComparer.Ordinal);
        if (map.TryGetValue("capacity_by_dong", out var text))
        {
            byDong.Clear();
            foreach (var pair in text.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split('=');
                if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var c))
                {
                    byDong[parts[0]] = c;
                }
            }
        }

        var thresholdsByDong = live.ThresholdsByDong.ToDictionary(StringComparer.Ordinal);
        if (map.TryGetValue("thresholds_by_dong", out var thresholdsText))
        {
            // "2826051000=0.25/0.15": the dong's crisis / lonely-death thresholds.
            thresholdsByDong.Clear();
            foreach (var pair in thresholdsText.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split('=', '/');
                if (parts.Length == 3 &&
                    double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var crisis) &&
                    double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var lonely))
                {
                    thresholdsByDong[parts[0]] = new DongThresholds(crisis, lonely);
                }
            }
        }

        var proposed = live with
        {
            CrisisThreshold = D("crisis", live.CrisisThreshold),
            LonelyDeathThreshold = D("lonely", live.LonelyDeathThreshold),
            CrisisHigh = D("crisis_high", live.CrisisHigh),
            LonelyDeathHigh = D("lonely_high", live.LonelyDeathHigh),
            DailyCapacityPerDong = I("capacity", live.DailyCapacityPerDong),
            CoolDownDays = I("cooldown", live.CoolDownDays),
            CapacityByDong = byDong,
            ThresholdsByDong = thresholdsByDong,
        };
        problem = proposed.Problem();
        return proposed;
    }

    private static async Task<IResult> RenderAsync(
        HttpContext context, PolicyStore policies, ModelRegistry models, WhatIf whatIf, ThresholdPolicy live, string stamp,
        ThresholdPolicy proposed, string? problem)
    {
        var html = new Html(context);
        var ct = context.RequestAborted;
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<h1>{html.T("기준 조정", "Threshold tuning")}</h1>");
        body.Append(CultureInfo.InvariantCulture, $"<p>{html.T("현재 기준", "Live policy")} <b id=\"live-version\">{Html.E(stamp)}</b></p>");
        if (problem is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"policy-error\">{Html.E(problem)}</p>");
        }

        var diff = problem is null ? await whatIf.CompareAsync(live, proposed, ct) : null;
        var thresholdsByDong = string.Join(", ", proposed.ThresholdsByDong.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => $"{t.Key}={Html.F(t.Value.CrisisThreshold)}/{Html.F(t.Value.LonelyDeathThreshold)}"));
        var byDong = string.Join(", ", proposed.CapacityByDong.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
        body.Append(CultureInfo.InvariantCulture, $"""
            <form method="get" action="/analyst" class="card" id="policy-form">{html.Token()}
              <b>{html.T("제안 기준", "Proposed policy")}</b><br>
              <label>{html.T("위기 기준", "Crisis threshold")} <input type="number" step="0.01" min="0.01" max="1" name="crisis" id="crisis" value="{Html.F(proposed.CrisisThreshold)}"></label>
              <label>{html.T("고독사 기준", "Lonely-death threshold")} <input type="number" step="0.01" min="0.01" max="1" name="lonely" id="lonely" value="{Html.F(proposed.LonelyDeathThreshold)}"></label>
              <label>{html.T("위기 주의", "Crisis high")} <input type="number" step="0.01" min="0.01" max="1" name="crisis_high" value="{Html.F(proposed.CrisisHigh)}"></label>
              <label>{html.T("고독사 주의", "Lonely-death high")} <input type="number" step="0.01" min="0.01" max="1" name="lonely_high" value="{Html.F(proposed.LonelyDeathHigh)}"></label>
              <label>{html.T("동별 일일 처리량", "Daily capacity per dong")} <input type="number" min="0" name="capacity" id="capacity" value="{proposed.DailyCapacityPerDong}"></label>
              <label>{html.T("재선정 유예(일)", "Cool-down days")} <input type="number" min="0" name="cooldown" value="{proposed.CoolDownDays}"></label>
              <label>{html.T("동별 처리량 예외", "Capacity by dong")} <input name="capacity_by_dong" size="28" placeholder="2826051000=8" value="{Html.E(byDong)}"></label>
              <label>{html.T("동별 기준 예외 (위기/고독사)", "Thresholds by dong (crisis/lonely)")} <input name="thresholds_by_dong" id="thresholds-by-dong" size="34" placeholder="2826051000=0.25/0.15" value="{Html.E(thresholdsByDong)}"></label><br>
              <label>{html.T("변경 사유", "Reason")} <input name="reason" id="policy-reason" size="40"></label>
              <button type="submit" id="preview">{html.T("미리 보기", "Preview what-if")}</button>
              <button type="submit" id="save" formmethod="post" formaction="/analyst/policy">{html.T("저장", "Save")}</button>
            </form>
            """);

        if (diff is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"""
                <h2>{html.T("가정 분석", "What-if")} <span class="muted">({html.T("기준일", "as of")} {IsoDate.Text(diff.RunDate)}, {html.T("모델 경로", "model lane")}, {diff.HouseholdsScored:N0} {html.T("가구", "households")})</span></h2>
                <div class="card" id="whatif">
                  <table><tr><th></th><th class="num">{html.T("현재", "Live")}</th><th class="num">{html.T("제안", "Proposed")}</th></tr>
                    <tr><td>{html.T("기준 초과 가구 (하루 예상 건수, 처리량 전)", "Households above threshold (expected cases a day, before capacity)")}</td><td class="num">{diff.LiveAboveThreshold}</td><td class="num" id="proposed-above">{diff.ProposedAboveThreshold}</td></tr>
                    <tr><td>{html.T("오늘 목록 (처리량 적용)", "Today's list (within capacity)")}</td><td class="num">{diff.Live.Count}</td><td class="num" id="proposed-count">{diff.Proposed.Count}</td></tr>
                  </table>
                  <p>{html.T("추가", "Added")} <b class="added" id="added-count">{diff.Added.Count}</b> · {html.T("제외", "Removed")} <b class="removed" id="removed-count">{diff.Removed.Count}</b> · Jaccard <b id="jaccard">{Html.F(diff.Jaccard)}</b></p>
                  <div class="grid">{Households(html, html.T("추가되는 가구", "Households added"), diff.Added, "added")}{Households(html, html.T("빠지는 가구", "Households removed"), diff.Removed, "removed")}</div>
                </div>
                """);
        }

        foreach (var target in new[] { ModelTarget.Crisis, ModelTarget.LonelyDeath })
        {
            var model = models.LoadCurrent(target);
            var name = target == ModelTarget.Crisis ? html.T("위기 모델", "Crisis model") : html.T("고독사 모델", "Lonely-death model");
            if (model is null)
            {
                body.Append(CultureInfo.InvariantCulture, $"<h2>{name}</h2><p class=\"muted\">{html.T("학습된 모델이 없습니다.", "No trained model.")}</p>");
                continue;
            }

            body.Append(ModelSection(html, name, model, target == ModelTarget.Crisis ? proposed.CrisisThreshold : proposed.LonelyDeathThreshold, diff, target));
        }

        var history = await policies.HistoryAsync(ct);
        body.Append(CultureInfo.InvariantCulture, $"<h2>{html.T("기준 이력", "Policy history")}</h2>");
        if (history.Count == 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{html.T("저장된 기준이 없어 기본값(또는 policy.json)을 씁니다.", "No saved version: the defaults (or policy.json) are live.")}</p>");
        }
        else
        {
            body.Append(CultureInfo.InvariantCulture, $"<table id=\"policy-history\"><tr><th>{html.T("버전", "Version")}</th><th>{html.T("저장", "Saved")}</th><th>{html.T("누가", "By")}</th><th>{html.T("사유", "Reason")}</th><th>{html.T("위기/고독사 기준", "Thresholds")}</th><th>{html.T("처리량", "Capacity")}</th><th></th></tr>");
            foreach (var v in history)
            {
                body.Append(CultureInfo.InvariantCulture, $"""
                    <tr><td>{Html.E(v.Stamp)}{(v.RolledBackFrom is { } from ? $" <span class=\"muted\">← v{from}</span>" : "")}</td><td>{Html.E(v.SavedAt[..Math.Min(19, v.SavedAt.Length)])}</td><td>{Html.E(v.SavedBy)}</td><td>{Html.E(v.Reason)}</td>
                    <td>{Html.F(v.Policy.CrisisThreshold)} / {Html.F(v.Policy.LonelyDeathThreshold)}</td><td>{v.Policy.DailyCapacityPerDong}</td>
                    <td>{(v == history[0] ? html.T("현재", "live") : $"<form method=\"post\" action=\"/analyst/policy/{v.VersionNo}/rollback\">{html.Token()}<button>{html.T("이 버전으로 되돌리기", "Roll back to this")}</button></form>")}</td></tr>
                    """);
            }

            body.Append("</table>");
        }

        return html.Page(html.T("기준 조정", "Threshold tuning"), body.ToString());
    }

    private static string ModelSection(Html html, string name, RiskModel model, double threshold, WhatIfResult? diff, ModelTarget target)
    {
        var m = model.Metrics;
        var section = new StringBuilder();
        section.Append(CultureInfo.InvariantCulture, $"""
            <h2>{name} <span class="muted">{Html.E(model.Version)} · {html.T("학습", "trained")} {model.TrainedFrom:yyyy-MM-dd}–{model.TrainedThrough:yyyy-MM-dd} · {html.T("검증", "test from")} {m.TestFrom:yyyy-MM-dd} · ROC AUC {Html.F(m.RocAuc, "0.000")} · PR AUC {Html.F(m.PrAuc, "0.000")}</span></h2>
            """);

        // Where today's threshold sits in the ranking: the share of today's households above it, matched to the nearest
        // held-out top-k the model was evaluated at.
        double? shareAbove = null;
        if (diff is not null && diff.HouseholdsScored > 0)
        {
            shareAbove = (double)diff.ProposedAboveThreshold / diff.HouseholdsScored;
        }

        var nearest = shareAbove is { } share && m.TestRows > 0 && m.AtK.Count > 0
            ? m.AtK.MinBy(k => Math.Abs((double)k.K / m.TestRows - share))
            : null;
        section.Append(CultureInfo.InvariantCulture, $"<div class=\"grid\"><div><table class=\"atk\"><tr><th>{html.T("상위", "Top")}</th><th class=\"num\">k</th><th class=\"num\">precision@k</th><th class=\"num\">recall@k</th></tr>");
        foreach (var k in m.AtK)
        {
            section.Append(CultureInfo.InvariantCulture, $"<tr{(k == nearest ? " style=\"background:#fffbe6;font-weight:600\"" : "")}><td>{Html.E(k.Label)}</td><td class=\"num\">{k.K}</td><td class=\"num\">{Html.F(k.Precision)}</td><td class=\"num\">{Html.F(k.Recall)}</td></tr>");
        }

        section.Append("</table>");
        if (shareAbove is { } s)
        {
            section.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{html.T("제안 기준에서 오늘 기준 초과 비율", "Share above the proposed thresholds today")} {s:P1}{(nearest is null ? "" : $" ≈ {Html.E(nearest.Label)}: precision {Html.F(nearest.Precision)}, recall {Html.F(nearest.Recall)}")} ({html.T("모델", "model")} {(target == ModelTarget.Crisis ? "crisis" : "lonely_death")} {html.T("기준", "threshold")} {Html.F(threshold)})</p>");
        }

        section.Append("</div>");
        section.Append(Svg.UnitPlot("PR (recall → precision)", "recall", "precision", m.AtK.OrderBy(k => k.Recall).Select(k => (k.Recall, k.Precision)).ToList(), diagonal: false, "#175cd3"));
        section.Append(Svg.UnitPlot(html.T("보정 (예측 → 실제)", "Calibration (predicted → observed)"), "predicted", "observed", m.Calibration.Select(b => (b.MeanPredicted, b.Observed)).ToList(), diagonal: true, "#b54708"));
        section.Append("</div>");
        return section.ToString();
    }

    private static string Households(Html html, string title, IReadOnlyList<WhatIfHousehold> households, string css)
    {
        var list = new StringBuilder($"<div><b class=\"{css}\">{Html.E(title)}</b><table><tr><th>{html.T("가구 키", "Household key")}</th><th>{html.T("행정동", "Dong")}</th><th class=\"num\">{html.T("위기", "Crisis")}</th><th class=\"num\">{html.T("고독사", "Lonely")}</th></tr>");
        foreach (var h in households.Take(50))
        {
            list.Append(CultureInfo.InvariantCulture, $"<tr class=\"{css}\"><td><code>{Html.E(h.HouseholdKey[..12])}</code></td><td>{Html.E(h.DongCode)}</td><td class=\"num\">{Html.F(h.CrisisScore)}</td><td class=\"num\">{Html.F(h.LonelyDeathScore)}</td></tr>");
        }

        if (households.Count > 50)
        {
            list.Append(CultureInfo.InvariantCulture, $"<tr><td colspan=\"4\" class=\"muted\">… +{households.Count - 50}</td></tr>");
        }

        return list.Append("</table></div>").ToString();
    }
}
