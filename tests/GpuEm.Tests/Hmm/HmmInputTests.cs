using GpuEm.Models.HiddenMarkov;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// Bad input to <see cref="HiddenMarkov.Fit(float[,], IReadOnlyList{int}, HiddenMarkovOptions, IReadOnlyList{int}, CancellationToken)"/>
/// is refused with an exception of the documented type whose message names the problem, and
/// what the caller passed (rows, lengths, labels, mask) is unchanged afterwards.
/// </summary>
public sealed class HmmInputTests
{
    private static readonly HiddenMarkovOptions Categorical =
        new(2) { Emission = HmmEmission.Categorical, Backend = Backend.Reference, MaxIterations = 5 };

    private static readonly HiddenMarkovOptions Poisson =
        new(2) { Emission = HmmEmission.Poisson, Backend = Backend.Reference, MaxIterations = 5 };

    private static readonly HiddenMarkovOptions Gaussian = new(2) { Backend = Backend.Reference, MaxIterations = 5 };

    [Fact]
    public void LengthsThatDoNotSumToTheRowsAreRefused()
    {
        float[,] rows = Symbols(200, 3, seed: 1);
        int[] lengths = [100, 50];
        Snapshot before = new(rows, lengths);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, lengths, Categorical));
        Assert.Equal("lengths", ex.ParamName);
        Assert.Contains("sum to 150", ex.Message);
        Assert.Contains("200 rows", ex.Message);
        before.AssertUnchanged(rows, lengths);

        int[] tooMany = [150, 100];
        ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, tooMany, Categorical));
        Assert.Contains("sum to 250", ex.Message);
        Assert.Equal([150, 100], tooMany);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void ZeroOrNegativeLengthIsRefused(int bad)
    {
        float[,] rows = Symbols(200, 3, seed: 2);
        int[] lengths = [100, bad, 100 - bad];
        Snapshot before = new(rows, lengths);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, lengths, Categorical));
        Assert.Equal("lengths", ex.ParamName);
        Assert.Contains($"Sequence 1 (zero-based) has length {bad}", ex.Message);
        before.AssertUnchanged(rows, lengths);
    }

    [Fact]
    public void EmptySequenceInAListIsRefused()
    {
        float[,] first = Symbols(50, 3, seed: 3);
        float[,] empty = new float[0, 1];
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit([first, empty], Categorical));
        Assert.Equal("sequences", ex.ParamName);
        Assert.Contains("Sequence 1 (zero-based) has length 0", ex.Message);

        float[,] wide = new float[10, 2];
        ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit([first, wide], Categorical));
        Assert.Contains("Sequence 1 has 2 columns; sequence 0 has 1", ex.Message);
    }

    [Theory]
    [InlineData(3f)]
    [InlineData(7f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(0.25f)]
    public void CategoricalSymbolOutsideTheAlphabetOrNotWholeIsRefused(float bad)
    {
        float[,] rows = Symbols(120, 3, seed: 4);
        rows[37, 0] = bad;
        Snapshot before = new(rows, null);
        var options = Categorical with { Symbols = 3 };
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, null, options));
        Assert.Contains($"Row 37 (zero-based) holds {bad}", ex.Message);
        Assert.Contains("categorical emissions take symbols 0 … 2", ex.Message);
        before.AssertUnchanged(rows, null);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(0.5f)]
    public void CategoricalWithoutSymbolsStillRefusesNegativeOrFractionalSymbols(float bad)
    {
        float[,] rows = Symbols(120, 3, seed: 5);
        rows[0, 0] = bad;
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, null, Categorical));
        Assert.Contains($"Row 0 (zero-based) holds {bad}", ex.Message);
        Assert.Contains("whole numbers ≥ 0", ex.Message);
    }

    [Fact]
    public void CategoricalDataNeedsOneColumn()
    {
        float[,] rows = new float[20, 2];
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, null, Categorical));
        Assert.Contains("one column of symbols; the data has 2 columns", ex.Message);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(-0.5f)]
    [InlineData(2.5f)]
    public void PoissonNegativeOrFractionalCountIsRefused(float bad)
    {
        float[,] rows = Counts(150, seed: 6);
        rows[88, 1] = bad;
        Snapshot before = new(rows, null);
        int[] lengths = [100, 50];
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, lengths, Poisson));
        Assert.Contains($"Row 88 (zero-based), column 1 holds {bad}", ex.Message);
        Assert.Contains("Poisson emissions take counts", ex.Message);
        before.AssertUnchanged(rows, null);
        Assert.Equal([100, 50], lengths);
    }

    [Fact]
    public void PoissonRowPartlyMissingIsRefusedEvenWhenMarginalizing()
    {
        float[,] rows = Counts(60, seed: 7);
        rows[12, 0] = float.NaN;
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Poisson with { Missing = MissingValues.Marginalize }));
        Assert.Contains("Row 12 (zero-based) has 1 of its 2 entries missing", ex.Message);
        Assert.True(float.IsNaN(rows[12, 0]));
    }

    [Fact]
    public void MoreStatesThanObservedStepsIsRefused()
    {
        float[,] rows = { { 1 }, { 0 }, { 2 } };
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Categorical with { States = 4 }));
        Assert.Contains("States K = 4 exceeds the number of observed steps n = 3", ex.Message);

        // Steps without an observation (all NaN) do not count as observed.
        float[,] gaps = { { 1, 2 }, { float.NaN, float.NaN }, { 3, 1 }, { float.NaN, float.NaN }, { 0, 0 } };
        Snapshot before = new(gaps, null);
        ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(gaps, null, Poisson with { States = 4, Missing = MissingValues.Marginalize }));
        Assert.Contains("States K = 4 exceeds the number of observed steps n = 3", ex.Message);
        before.AssertUnchanged(gaps, null);
    }

    [Fact]
    public void TooFewCompleteRowsForTheGaussiansAreRefused()
    {
        // GMM-HMM: K·M Gaussians need K·M complete rows for their k-means start.
        float[,] rows = { { 0, 1 }, { 2, 3 }, { 4, 5 } };
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Gaussian with { Emission = HmmEmission.GaussianMixture, MixtureComponents = 2 }));
        Assert.Contains("2 states × 2 Gaussians need at least 4 complete rows; the data has 3", ex.Message);

        // Partly missing rows are observed steps but not complete rows.
        float[,] gaps = { { 0, 1 }, { float.NaN, 3 }, { 4, float.NaN }, { 6, 7 } };
        ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(gaps, null, Gaussian with { States = 3, Missing = MissingValues.Marginalize }));
        Assert.Contains("need at least 3 complete rows; the data has 2", ex.Message);
    }

    [Fact]
    public void EveryRowMissingIsRefused()
    {
        float[,] rows = { { float.NaN }, { float.NaN } };
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Categorical with { States = 1, Missing = MissingValues.Marginalize }));
        Assert.Contains("entirely missing", ex.Message);
    }

    [Theory]
    [InlineData(HmmEmission.Gaussian)]
    [InlineData(HmmEmission.Categorical)]
    [InlineData(HmmEmission.Poisson)]
    public void NaNWithoutMarginalizeIsRefused(HmmEmission emission)
    {
        float[,] rows = emission == HmmEmission.Categorical ? Symbols(80, 3, seed: 8) : Counts(80, seed: 8);
        int column = rows.GetLength(1) - 1;
        rows[7, column] = float.NaN;
        Snapshot before = new(rows, null);
        var options = new HiddenMarkovOptions(2) { Emission = emission, Backend = Backend.Reference };
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, null, options));
        Assert.Contains($"holds NaN at row 7, column {column}", ex.Message);
        before.AssertUnchanged(rows, null);
    }

    [Fact]
    public void InfinityIsRefusedEvenWhenMarginalizing()
    {
        float[,] rows = Counts(40, seed: 9);
        rows[3, 0] = float.PositiveInfinity;
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Gaussian with { Missing = MissingValues.Marginalize }));
        Assert.Contains("at row 3, column 0", ex.Message);
        Assert.Contains("only NaN marks a missing value", ex.Message);
    }

    [Fact]
    public void MaskThatLeavesAStateWithNoWayOutIsRefused()
    {
        float[,] rows = Symbols(100, 3, seed: 10);
        bool[,] mask = { { true, true, false }, { false, false, false }, { true, false, true } };
        bool[,] copy = (bool[,])mask.Clone();
        Snapshot before = new(rows, null);
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Categorical with { States = 3, AllowedTransitions = mask }));
        Assert.Contains("leaves state 1 with no way out", ex.Message);
        Assert.Equal(copy, mask);
        before.AssertUnchanged(rows, null);
    }

    [Fact]
    public void MaskOfTheWrongShapeIsRefused()
    {
        float[,] rows = Symbols(100, 3, seed: 11);
        bool[,] mask = { { true, true }, { true, true } };
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Categorical with { States = 3, AllowedTransitions = mask }));
        Assert.Equal("AllowedTransitions", ex.ParamName);
        Assert.Contains("AllowedTransitions is 2 × 2; it must be States × States = 3 × 3", ex.Message);
    }

    [Theory]
    [InlineData(199)]
    [InlineData(201)]
    [InlineData(0)]
    public void LabelsOfTheWrongLengthAreRefused(int count)
    {
        float[,] rows = Symbols(200, 3, seed: 12);
        int[] labels = Enumerable.Repeat(-1, count).ToArray();
        Snapshot before = new(rows, labels);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, null, Categorical, labels));
        Assert.Equal("labels", ex.ParamName);
        Assert.Contains($"{count} state labels for 200 rows", ex.Message);
        before.AssertUnchanged(rows, labels);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    [InlineData(int.MaxValue)]
    public void LabelsOutsideTheStatesAreRefused(int bad)
    {
        float[,] rows = Symbols(200, 3, seed: 13);
        int[] labels = Enumerable.Range(0, 200).Select(t => t % 3 - 1).ToArray();
        labels[42] = bad;
        Snapshot before = new(rows, labels);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, [120, 80], Categorical, labels));
        Assert.Equal("labels", ex.ParamName);
        Assert.Contains($"State label {bad} at row 42 (zero-based) is outside −1 … 1", ex.Message);
        before.AssertUnchanged(rows, labels);
    }

    [Theory]
    [InlineData("States", 0)]
    [InlineData("States", -2)]
    [InlineData("MaxIterations", -1)]
    [InlineData("Tolerance", -1e-3)]
    [InlineData("Tolerance", double.NaN)]
    [InlineData("Tolerance", double.PositiveInfinity)]
    [InlineData("CovarianceRegularization", -1e-9)]
    [InlineData("CovarianceRegularization", double.NaN)]
    [InlineData("MixtureComponents", 0)]
    [InlineData("MixtureComponents", -1)]
    [InlineData("Symbols", 0)]
    [InlineData("MaxJump", 0)]
    [InlineData("Restarts", 0)]
    [InlineData("StartConcentration", 0.5)]
    [InlineData("TransitionConcentration", double.NaN)]
    [InlineData("EmissionConcentration", 0)]
    [InlineData("RatePrior", 0.5)]
    [InlineData("RatePrior", -1)]
    [InlineData("Fixed", 8)]
    [InlineData("Emission", 9)]
    [InlineData("Covariance", 17)]
    [InlineData("Topology", 5)]
    [InlineData("Missing", 3)]
    [InlineData("DeviceMemoryLimit", 0)]
    public void OptionOutOfRangeIsRefusedNamingTheOption(string option, double value)
    {
        var gmm = new HiddenMarkovOptions(2) { Emission = HmmEmission.GaussianMixture, Backend = Backend.Reference };
        HiddenMarkovOptions options = option switch
        {
            "States" => gmm with { States = (int)value },
            "MaxIterations" => gmm with { MaxIterations = (int)value },
            "Tolerance" => gmm with { Tolerance = value },
            "CovarianceRegularization" => gmm with { CovarianceRegularization = value },
            "MixtureComponents" => gmm with { MixtureComponents = (int)value },
            "Symbols" => gmm with { Symbols = (int)value },
            "MaxJump" => gmm with { Topology = HmmTopology.LeftRight, MaxJump = (int)value },
            "Restarts" => gmm with { Restarts = (int)value },
            "StartConcentration" => gmm with { StartConcentration = value },
            "TransitionConcentration" => gmm with { TransitionConcentration = value },
            "EmissionConcentration" => gmm with { EmissionConcentration = value },
            "RatePrior" => gmm with { RatePrior = value < 0 ? (1, value) : (value, 0) },
            "Fixed" => gmm with { Fixed = (HmmParts)(int)value },
            "Emission" => gmm with { Emission = (HmmEmission)(int)value },
            "Covariance" => gmm with { Covariance = (Models.GaussianMixture.CovarianceType)(int)value },
            "Topology" => gmm with { Topology = (HmmTopology)(int)value },
            "Missing" => gmm with { Missing = (MissingValues)(int)value },
            "DeviceMemoryLimit" => gmm with { DeviceMemoryLimit = (long)value },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };
        float[,] rows = Counts(60, seed: 14);
        Snapshot before = new(rows, null);
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(() => HiddenMarkov.Fit(rows, null, options));
        Assert.Equal(option, ex.ParamName);
        Assert.Contains(option, ex.Message);
        before.AssertUnchanged(rows, null);

        // The other overloads validate the same way.
        Assert.Equal(option, Assert.Throws<ArgumentOutOfRangeException>(() => HiddenMarkov.Fit([rows], options)).ParamName);
    }

    [Fact]
    public void MixtureComponentsIsIgnoredByOtherEmissions()
    {
        // Documented: MixtureComponents is read only by GaussianMixture emissions.
        float[,] rows = Counts(60, seed: 15);
        HiddenMarkovModel model = HiddenMarkov.Fit(rows, null, Poisson with { MixtureComponents = 0 });
        Assert.Equal(HmmEmission.Poisson, model.Emission);
        Assert.True(double.IsFinite(model.LogLikelihood));
    }

    [Fact]
    public void NullOptionsOrSequencesAreRefused()
    {
        float[,] rows = Counts(10, seed: 16);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => HiddenMarkov.Fit(rows, null, null!)).ParamName);
        Assert.Equal("sequences", Assert.Throws<ArgumentNullException>(() => HiddenMarkov.Fit((IReadOnlyList<float[,]>)null!, Poisson)).ParamName);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(Array.Empty<float[,]>(), Poisson));
        Assert.Contains("No sequences", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void NullSequenceInAListIsRefusedByName(int index)
    {
        float[,] rows = Counts(20, seed: 21);
        float[,]?[] sequences = [rows, rows];
        sequences[index] = null;
        ArgumentNullException ex = Assert.Throws<ArgumentNullException>(() => HiddenMarkov.Fit(sequences!, Poisson));
        Assert.Equal($"sequences[{index}]", ex.ParamName);
    }

    [Fact]
    public void IncompatibleInitialModelIsRefused()
    {
        float[,] rows = Symbols(100, 3, seed: 17);
        HiddenMarkovModel two = HiddenMarkov.Fit(rows, null, Categorical);
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            HiddenMarkov.Fit(rows, null, Categorical with { States = 3, InitialModel = two }));
        Assert.Contains("InitialModel has 2 states, the options 3", ex.Message);

        float[,] more = Symbols(100, 5, seed: 17);
        more[0, 0] = 4;
        ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(more, null, Categorical with { InitialModel = two }));
        Assert.Contains($"InitialModel has {two.Symbols} symbols, the data 5", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(Counts(50, seed: 18), null, Poisson with { InitialModel = two }));
        Assert.Contains("InitialModel", ex.Message);
        Assert.Contains("they must match", ex.Message);
    }

    [Fact]
    public void ScoringDataOfTheWrongShapeIsRefused()
    {
        float[,] rows = Counts(80, seed: 19);
        HiddenMarkovModel model = HiddenMarkov.Fit(rows, null, Poisson);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => model.Score(new float[10, 3]));
        Assert.Contains("The data has 3 columns but the model was fitted on 2", ex.Message);

        float[,] fractional = (float[,])rows.Clone();
        fractional[5, 0] = 0.5f;
        ex = Assert.Throws<ArgumentException>(() => model.Decode(fractional));
        Assert.Contains("Row 5 (zero-based), column 0 holds 0.5", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => model.PredictProba(rows, [40, 30]));
        Assert.Contains("sum to 70", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.Sample([10, 0]));
        Assert.Contains("Sequence 1 (zero-based) has length 0", ex.Message);
    }

    [Fact]
    public void MaxIterationsZeroIsAllowedAndReturnsTheStart()
    {
        // Documented as ≥ 0: no M-step, the history holds only the start's objective.
        float[,] rows = Symbols(100, 3, seed: 20);
        HiddenMarkovModel model = HiddenMarkov.Fit(rows, null, Categorical with { MaxIterations = 0 });
        Assert.Single(model.ObjectiveHistory);
        Assert.Equal(0, model.Iterations);
        Assert.Equal([0.5, 0.5], model.StartProbabilities);
    }

    // Symbols 0 … m − 1 drawn uniformly, one column.
    private static float[,] Symbols(int n, int m, int seed)
    {
        var random = new Random(seed);
        var rows = new float[n, 1];
        for (int t = 0; t < n; t++)
            rows[t, 0] = random.Next(m);
        return rows;
    }

    // Two columns of small counts.
    private static float[,] Counts(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new float[n, 2];
        for (int t = 0; t < n; t++)
        {
            rows[t, 0] = random.Next(4);
            rows[t, 1] = random.Next(10);
        }
        return rows;
    }

    // Copies of what the caller passed, to check that a failed fit left them alone.
    private sealed class Snapshot(float[,] rows, IReadOnlyList<int>? list)
    {
        private readonly float[,] _rows = (float[,])rows.Clone();
        private readonly int[]? _list = list?.ToArray();

        public void AssertUnchanged(float[,] rows, IReadOnlyList<int>? list)
        {
            Assert.Equal(_rows.GetLength(0), rows.GetLength(0));
            Assert.Equal(_rows.GetLength(1), rows.GetLength(1));
            for (int i = 0; i < rows.GetLength(0); i++)
                for (int j = 0; j < rows.GetLength(1); j++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(_rows[i, j]), BitConverter.SingleToInt32Bits(rows[i, j]));
            Assert.Equal(_list, list?.ToArray());
        }
    }
}
