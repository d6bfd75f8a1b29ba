namespace RiskWatch.Scoring.Models;

/// <summary>Ranking and calibration metrics of predicted probabilities against labels.</summary>
internal static class ModelEvaluation
{
    private static readonly (string Label, double Fraction)[] TopFractions = [("top 1%", 0.01), ("top 2%", 0.02), ("top 5%", 0.05)];

    private const int CalibrationBins = 10;

    /// <param name="keys">Household keys, to break score ties in a fixed order (the order a queue would list them).</param>
    /// <param name="dongs">Dong of each row, for the @capacity figure (with <paramref name="asOfs"/>).</param>
    /// <param name="capacityPerDong">New cases a dong team takes per day; 0 leaves the @capacity figure out.</param>
    public static Evaluated Evaluate(
        IReadOnlyList<float> scores, IReadOnlyList<bool> labels, IReadOnlyList<string> keys,
        IReadOnlyList<string>? dongs = null, IReadOnlyList<DateOnly>? asOfs = null, int capacityPerDong = 0)
    {
        var order = RankOrder(scores, keys);
        var positives = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            positives += labels[i] ? 1 : 0;
        }

        var atK = new List<PrecisionAtK>(TopFractions.Length + 1);
        if (capacityPerDong > 0 && dongs is not null && asOfs is not null)
        {
            atK.Add(AtCapacity(order, labels, dongs, asOfs, capacityPerDong, positives));
        }

        atK.AddRange(AtTopFractions(order, labels, positives));
        var roc = RocAuc(scores, labels, positives);
        var (low, high) = HanleyMcNeil(roc, positives, labels.Count - positives);
        return new Evaluated(roc, low, high, AveragePrecision(order, labels, positives), atK, Calibration(scores, labels, order));
    }

    /// <summary>Precision–recall points down the ranking (one per distinct rank where a positive is met), for a plot.</summary>
    public static (double Recall, double Precision)[] PrCurve(IReadOnlyList<float> scores, IReadOnlyList<bool> labels, IReadOnlyList<string> keys)
    {
        var order = RankOrder(scores, keys);
        var positives = labels.Count(l => l);
        var points = new List<(double, double)>();
        var hits = 0;
        for (var rank = 0; rank < order.Length && positives > 0; rank++)
        {
            if (labels[order[rank]])
            {
                hits++;
                points.Add(((double)hits / positives, (double)hits / (rank + 1)));
            }
        }

        return [.. points];
    }

    /// <summary>
    /// What the queues would have caught: in every (as-of date, dong), the <paramref name="capacity"/> highest-ranked rows.
    /// Recall is against every positive of the test set, so it shows how many a team of this size cannot reach.
    /// </summary>
    private static PrecisionAtK AtCapacity(
        int[] order, IReadOnlyList<bool> labels, IReadOnlyList<string> dongs, IReadOnlyList<DateOnly> asOfs, int capacity, int positives)
    {
        var taken = new Dictionary<(DateOnly, string), int>();
        var k = 0;
        var hits = 0;
        foreach (var row in order)
        {
            var slot = (asOfs[row], dongs[row]);
            taken.TryGetValue(slot, out var count);
            if (count >= capacity)
            {
                continue;
            }

            taken[slot] = count + 1;
            k++;
            hits += labels[row] ? 1 : 0;
        }

        return new PrecisionAtK(
            $"capacity {capacity}/dong/day", k, k == 0 ? double.NaN : (double)hits / k, positives == 0 ? double.NaN : (double)hits / positives);
    }

    /// <summary>
    /// 95% interval of a ROC-AUC from its standard error (Hanley &amp; McNeil 1982), clipped to [0, 1]: with a handful of
    /// positives it is wide, which is the honest thing to print beside the figure.
    /// </summary>
    private static (double Low, double High) HanleyMcNeil(double auc, int positives, int negatives)
    {
        if (double.IsNaN(auc))
        {
            return (double.NaN, double.NaN);
        }

        var q1 = auc / (2 - auc);
        var q2 = 2 * auc * auc / (1 + auc);
        var variance = ((auc * (1 - auc)) + ((positives - 1) * (q1 - (auc * auc))) + ((negatives - 1) * (q2 - (auc * auc))))
                       / ((double)positives * negatives);
        var half = 1.96 * Math.Sqrt(Math.Max(0, variance));
        return (Math.Max(0, auc - half), Math.Min(1, auc + half));
    }

    /// <summary>Row indexes by descending score, ties by household key (ordinal).</summary>
    internal static int[] RankOrder(IReadOnlyList<float> scores, IReadOnlyList<string> keys)
    {
        var order = new int[scores.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) =>
        {
            var byScore = scores[y].CompareTo(scores[x]);
            if (byScore != 0)
            {
                return byScore;
            }

            var byKey = string.CompareOrdinal(keys[x], keys[y]);
            return byKey != 0 ? byKey : x.CompareTo(y);
        });
        return order;
    }

    /// <summary>Mann–Whitney with mid-ranks, so tied scores count half, whatever order they were listed in.</summary>
    private static double RocAuc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels, int positives)
    {
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        var ascending = new int[scores.Count];
        for (var i = 0; i < ascending.Length; i++)
        {
            ascending[i] = i;
        }

        Array.Sort(ascending, (x, y) => scores[x].CompareTo(scores[y]));
        double positiveRankSum = 0;
        for (var start = 0; start < ascending.Length;)
        {
            var end = start;
            while (end + 1 < ascending.Length && scores[ascending[end + 1]] == scores[ascending[start]])
            {
                end++;
            }

            var midRank = ((start + end) / 2.0) + 1;
            for (var i = start; i <= end; i++)
            {
                if (labels[ascending[i]])
                {
                    positiveRankSum += midRank;
                }
            }

            start = end + 1;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>Average precision: the mean of precision at the rank of each positive.</summary>
    private static double AveragePrecision(int[] order, IReadOnlyList<bool> labels, int positives)
    {
        if (positives == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        var hits = 0;
        for (var rank = 0; rank < order.Length; rank++)
        {
            if (labels[order[rank]])
            {
                hits++;
                sum += (double)hits / (rank + 1);
            }
        }

        return sum / positives;
    }

    private static PrecisionAtK[] AtTopFractions(int[] order, IReadOnlyList<bool> labels, int positives)
    {
        var result = new PrecisionAtK[TopFractions.Length];
        for (var t = 0; t < TopFractions.Length; t++)
        {
            var k = Math.Min(order.Length, Math.Max(1, (int)Math.Ceiling(TopFractions[t].Fraction * order.Length)));
            var hits = 0;
            for (var rank = 0; rank < k; rank++)
            {
                hits += labels[order[rank]] ? 1 : 0;
            }

            result[t] = new PrecisionAtK(
                TopFractions[t].Label,
                k,
                k == 0 ? double.NaN : (double)hits / k,
                positives == 0 ? double.NaN : (double)hits / positives);
        }

        return result;
    }

    /// <summary>Equal-count bins: with rare positives, equal-width bins would put nearly every row in the first one.</summary>
    private static CalibrationBin[] Calibration(IReadOnlyList<float> scores, IReadOnlyList<bool> labels, int[] descending)
    {
        var n = descending.Length;
        var binCount = Math.Min(CalibrationBins, n);
        var bins = new CalibrationBin[binCount];
        for (var b = 0; b < binCount; b++)
        {
            // Bin 0 holds the lowest scores: walk the descending order from its end.
            var from = (int)((long)b * n / binCount);
            var to = (int)((long)(b + 1) * n / binCount);
            double predicted = 0;
            var observed = 0;
            var low = double.MaxValue;
            var high = double.MinValue;
            for (var i = from; i < to; i++)
            {
                var row = descending[n - 1 - i];
                predicted += scores[row];
                observed += labels[row] ? 1 : 0;
                low = Math.Min(low, scores[row]);
                high = Math.Max(high, scores[row]);
            }

            var count = to - from;
            bins[b] = new CalibrationBin(low, high, count, predicted / count, (double)observed / count);
        }

        return bins;
    }
}

/// <summary>The figures <see cref="ModelEvaluation.Evaluate"/> computes for one set of scored rows.</summary>
internal sealed record Evaluated(
    double RocAuc, double RocAucLow, double RocAucHigh, double PrAuc, IReadOnlyList<PrecisionAtK> AtK, IReadOnlyList<CalibrationBin> Calibration);
