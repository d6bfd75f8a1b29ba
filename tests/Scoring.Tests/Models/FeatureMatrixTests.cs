using RiskWatch.Scoring.Models;

namespace RiskWatch.Scoring.Tests.Models;

public sealed class FeatureMatrixTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("riskwatch-matrix-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_written_matrix_reads_back_with_the_same_numbers_and_a_hashed_household()
    {
        var examples = SyntheticExamples.Create(households: 20, asOfDates: 2, seed: 9);
        examples[0].Features[0] = 0.1f; // not exactly representable in decimal: must round-trip anyway
        var path = Path.Combine(_directory, "crisis_train.csv");

        FeatureMatrix.Write(path, examples);
        var read = FeatureMatrix.Read(path);

        Assert.Equal(examples.Select(e => e.Features), read.Select(e => e.Features));
        Assert.Equal(examples.Select(e => e.Label), read.Select(e => e.Label));
        Assert.Equal(examples.Select(e => e.AsOf), read.Select(e => e.AsOf));
        Assert.All(read, e => Assert.Equal(16, e.HouseholdKey.Length));
        Assert.DoesNotContain("hh-", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void The_split_is_the_latest_folds_last_quarter_of_as_of_dates()
    {
        var examples = SyntheticExamples.Create(households: 10, asOfDates: 8, seed: 9);

        var (train, test) = FeatureMatrix.LatestSplit(examples);

        Assert.Equal(6 * 10, train.Count);
        Assert.Equal(2 * 10, test.Count);
        Assert.True(train.Max(e => e.AsOf) < test.Min(e => e.AsOf));
    }
}
