namespace RiskWatch.Scoring.Models;

/// <summary>Ranking and calibration metrics of predicted probabilities against labels.</summary>
internal static class ModelEvaluation
{
    private static readonly (string Label, double Fraction)[] TopFractions = [("top 1%", 0.01), ("top 5%", 0.05), ("top 10%", 0.10)];

    private const int CalibrationBins = 10;

    /// <param name="keys">Household keys, to break score ties in a fixed order (the order a queue would list them).</param>
    public static (double RocAuc, double PrAuc, PrecisionAtK[] AtK, CalibrationBin[] Calibration) Evaluate(
        IReadOnlyList<float> scores, IReadOnlyList<bool> labels, IReadOnlyList<string> keys)
    {
        var order = RankOrder(scores, keys);
        var positives = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            positives += labels[i] ? 1 : 0;
        }

        return (RocAuc(scores, labels, positives), AveragePrecision(order, labels, positives), AtK(order, labels, positives), Calibration(scores, labels, order));
    }

    /// <summary>Row indexes by descending score, ties by household key (ordinal).</summary>
    private static int[] RankOrder(IReadOnlyList<float> scores, IReadOnlyList<string> keys)
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

    private static PrecisionAtK[] AtK(int[] order, IReadOnlyList<bool> labels, int positives)
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
