using System.Globalization;
using System.Text;

namespace RiskWatch.Detector.Web;

/// <summary>Small inline SVG charts: no script, no image files, readable when printed for a visit.</summary>
internal static class Svg
{
    private const int Width = 340;
    private const int Height = 120;
    private const int Pad = 26;

    /// <summary>A daily series as a line; a missing day breaks the line instead of drawing a false zero.</summary>
    public static string Line(string title, IReadOnlyList<(string Label, double? Value)> points, string color)
    {
        var svg = Begin(title);
        if (points.Count == 0)
        {
            return svg.Append(Text(Pad, Height / 2, "—")).Append("</svg>").ToString();
        }

        var max = Math.Max(points.Max(p => p.Value ?? 0), 1e-9);
        var path = new StringBuilder();
        var pen = false;
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Value is not { } value)
            {
                pen = false;
                continue;
            }

            var x = X(i, points.Count);
            var y = Height - Pad - (value / max * (Height - 2 * Pad));
            path.Append(CultureInfo.InvariantCulture, $"{(pen ? 'L' : 'M')}{x:0.#},{y:0.#} ");
            pen = true;
        }

        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\"/>");
        svg.Append(Text(2, Pad, max.ToString("0.#", CultureInfo.InvariantCulture)));
        svg.Append(Text(Pad, Height - 6, points[0].Label)).Append(Text(Width - 80, Height - 6, points[^1].Label));
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Two daily series on one scale (outgoing and incoming calls).</summary>
    public static string Pair(string title, IReadOnlyList<(string Label, double A, double B)> points, string colorA, string colorB)
    {
        var svg = Begin(title);
        if (points.Count == 0)
        {
            return svg.Append(Text(Pad, Height / 2, "—")).Append("</svg>").ToString();
        }

        var max = Math.Max(points.Max(p => Math.Max(p.A, p.B)), 1);
        foreach (var (pick, color) in new (Func<(string, double A, double B), double>, string)[] { (p => p.A, colorA), (p => p.B, colorB) })
        {
            var path = string.Join(' ', points.Select((p, i) =>
                $"{(i == 0 ? 'M' : 'L')}{X(i, points.Count).ToString("0.#", CultureInfo.InvariantCulture)},{(Height - Pad - (pick(p) / max * (Height - 2 * Pad))).ToString("0.#", CultureInfo.InvariantCulture)}"));
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\"/>");
        }

        svg.Append(Text(2, Pad, max.ToString("0", CultureInfo.InvariantCulture)));
        svg.Append(Text(Pad, Height - 6, points[0].Label)).Append(Text(Width - 80, Height - 6, points[^1].Label));
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Points joined in order on [0,1]×[0,1] axes, with the diagonal when <paramref name="diagonal"/> (a calibration plot).</summary>
    public static string UnitPlot(string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y)> points, bool diagonal, string color)
    {
        var svg = Begin(title);
        double Px(double x) => Pad + x * (Width - 2 * Pad);
        double Py(double y) => Height - Pad - y * (Height - 2 * Pad);
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Pad}\" y=\"{Pad}\" width=\"{Width - 2 * Pad}\" height=\"{Height - 2 * Pad}\" fill=\"none\" stroke=\"#d0d7de\"/>");
        if (diagonal)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Px(0):0.#}\" y1=\"{Py(0):0.#}\" x2=\"{Px(1):0.#}\" y2=\"{Py(1):0.#}\" stroke=\"#8c959f\" stroke-dasharray=\"4 3\"/>");
        }

        var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (finite.Count > 0)
        {
            var path = string.Join(' ', finite.Select((p, i) =>
                $"{(i == 0 ? 'M' : 'L')}{Px(Math.Clamp(p.X, 0, 1)).ToString("0.#", CultureInfo.InvariantCulture)},{Py(Math.Clamp(p.Y, 0, 1)).ToString("0.#", CultureInfo.InvariantCulture)}"));
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\"/>");
            foreach (var p in finite)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(Math.Clamp(p.X, 0, 1)):0.#}\" cy=\"{Py(Math.Clamp(p.Y, 0, 1)):0.#}\" r=\"2.5\" fill=\"{color}\"/>");
            }
        }

        svg.Append(Text(Pad, Height - 6, xLabel)).Append(Text(2, Pad - 6, yLabel));
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Arrears reports as bars of months overdue, one colour per source, in reporting order.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, string Group, double Value)> bars)
    {
        var svg = Begin(title);
        if (bars.Count == 0)
        {
            return svg.Append(Text(Pad, Height / 2, "—")).Append("</svg>").ToString();
        }

        string[] palette = ["#b42318", "#b54708", "#175cd3", "#067647", "#6941c6", "#c11574", "#0e9384", "#475467"];
        var groups = bars.Select(b => b.Group).Distinct(StringComparer.Ordinal).ToList();
        var max = Math.Max(bars.Max(b => b.Value), 1);
        var step = (Width - 2.0 * Pad) / bars.Count;
        for (var i = 0; i < bars.Count; i++)
        {
            var h = bars[i].Value / max * (Height - 2 * Pad);
            var color = palette[groups.IndexOf(bars[i].Group) % palette.Length];
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{Pad + i * step:0.#}\" y=\"{Height - Pad - h:0.#}\" width=\"{Math.Max(step - 1, 1):0.#}\" height=\"{h:0.#}\" fill=\"{color}\"><title>{Html.E(bars[i].Label)} {Html.E(bars[i].Group)}: {bars[i].Value:0}</title></rect>");
        }

        svg.Append(Text(2, Pad, max.ToString("0", CultureInfo.InvariantCulture)));
        svg.Append(Text(Pad, Height - 6, string.Join(" · ", groups.Select((g, i) => g))));
        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Begin(string title) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" style=\"font-size:10px\"><title>{Html.E(title)}</title>")
            .Append(Text(Pad, 12, title, bold: true));

    private static double X(int i, int count) => count == 1 ? Width / 2.0 : Pad + i * (Width - 2.0 * Pad) / (count - 1);

    private static string Text(double x, double y, string text, bool bold = false) =>
        string.Create(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{y:0.#}\" fill=\"#57606a\"{(bold ? " font-weight=\"600\"" : "")}>{Html.E(text)}</text>");
}
