using System.Text.Json;
using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;
using GpuEm.Persistence;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// A fitted hidden Markov model: immutable; array properties return copies. Inference runs on the
/// host in float64 (the reference engine's recursions, parallel over sequences): log-likelihoods
/// per sequence (<see cref="Score(float[,], IReadOnlyList{int})"/>), posterior state
/// probabilities (<see cref="PredictProba(float[,], IReadOnlyList{int})"/>), Viterbi paths
/// (<see cref="Decode(float[,], IReadOnlyList{int})"/>), sampling, BIC and AIC. Data is taken as
/// the fit takes it: rows of steps, lengths summing to the rows (null: one sequence); a row of
/// only NaN is a step without observation, and Gaussian emissions marginalize partly missing
/// rows.
/// </summary>
public sealed class HiddenMarkovModel : FittedModel, IRowModel
{
    /// <summary>The <c>format</c> of its model file.</summary>
    public const string FormatName = "gpuem.hidden-markov";

    internal HiddenMarkovModel(
        HmmParameters parameters, Topology topology, FitSummary summary, double logLikelihood, long observedSteps, int sequences)
        : base(summary)
    {
        Parameters = parameters;
        Topology = topology;
        LogLikelihood = logLikelihood;
        ObservedSteps = observedSteps;
        SequenceCount = sequences;
    }

    internal HmmParameters Parameters { get; }

    internal Topology Topology { get; }

    /// <inheritdoc/>
    public override string Format => FormatName;

    /// <inheritdoc/>
    public override string Kind => "hidden Markov model";

    /// <summary>Hidden states K.</summary>
    public int States => Parameters.States;

    /// <summary>Columns of a step.</summary>
    public int Dimension => Parameters.Emissions.Dimension;

    /// <summary>What the states emit.</summary>
    public HmmEmission Emission => Parameters.Emissions.Kind;

    /// <summary>The covariance shape of Gaussian emissions (null for other emissions).</summary>
    public CovarianceType? Covariance => Parameters.Emissions is GaussianEmissions g ? g.Parameters.Type : null;

    /// <summary>Gaussians per state (1 for a Gaussian HMM; 0 for non-Gaussian emissions).</summary>
    public int MixtureComponents => Parameters.Emissions is GaussianEmissions g ? g.Components : 0;

    /// <summary>Symbols M of categorical emissions (0 otherwise).</summary>
    public int Symbols => Parameters.Emissions is CategoricalEmissions c ? c.Symbols : 0;

    /// <summary>Total log-likelihood of the training sequences at the fitted parameters (natural
    /// log, without any prior term).</summary>
    public double LogLikelihood { get; }

    /// <summary>Training steps with an observation.</summary>
    public long ObservedSteps { get; }

    /// <summary>Training sequences.</summary>
    public int SequenceCount { get; }

    /// <summary>π, K values summing to 1.</summary>
    public double[] StartProbabilities => (double[])Parameters.Start.Clone();

    /// <summary>A, K × K: [i, j] = p(state j at t + 1 | state i at t); rows sum to 1.</summary>
    public double[,] TransitionMatrix => ToMatrix(Parameters.Transitions, States, States);

    /// <summary>Which transitions the fit allowed, K × K (false entries are 0 in <see cref="TransitionMatrix"/>).</summary>
    public bool[,] AllowedTransitions
    {
        get
        {
            int k = States;
            var result = new bool[k, k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    result[i, j] = Topology.Allowed[i * k + j];
            return result;
        }
    }

    /// <summary>Gaussian means, (K·M) × d (row k·M + m: state k's m-th Gaussian); null for other emissions.</summary>
    public double[,]? Means => Parameters.Emissions is GaussianEmissions g ? ToMatrix(g.Parameters.Means, g.Parameters.K, Dimension) : null;

    /// <summary>Gaussian covariances as full matrices, (K·M) × d × d (tied: the same matrix each
    /// time); null for other emissions.</summary>
    public double[,,]? Covariances
    {
        get
        {
            if (Parameters.Emissions is not GaussianEmissions g)
                return null;
            int d = Dimension;
            var result = new double[g.Parameters.K, d, d];
            var matrix = new double[d * d];
            for (int c = 0; c < g.Parameters.K; c++)
            {
                g.Parameters.ExpandCovariance(c, matrix);
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++)
                        result[c, i, j] = matrix[i * d + j];
            }
            return result;
        }
    }

    /// <summary>Within-state mixture weights, K × M (each row sums to 1); null for non-Gaussian emissions.</summary>
    public double[,]? MixtureWeights =>
        Parameters.Emissions is GaussianEmissions g ? ToMatrix(g.Parameters.Weights, States, g.Components) : null;

    /// <summary>Categorical emission probabilities, K × M (rows sum to 1); null for other emissions.</summary>
    public double[,]? EmissionProbabilities =>
        Parameters.Emissions is CategoricalEmissions c ? ToMatrix(c.Probabilities, States, c.Symbols) : null;

    /// <summary>Poisson rates, K × d; null for other emissions.</summary>
    public double[,]? Rates => Parameters.Emissions is PoissonEmissions p ? ToMatrix(p.Rates, States, Dimension) : null;

    /// <summary>Free parameters: π's and A's allowed entries (less one per distribution) and the emissions'.</summary>
    public long FreeParameterCount => Topology.FreeParameterCount(States) + Parameters.Emissions.FreeParameterCount;

    /// <summary>log p of each sequence and their total.</summary>
    /// <param name="rows">Steps, one row each.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>The scores.</returns>
    public HmmScore Score(float[,] rows, IReadOnlyList<int>? lengths = null) => Score(Data(rows, lengths));

    /// <summary>As <see cref="Score(float[,], IReadOnlyList{int})"/> over the rows of a data source.</summary>
    /// <param name="source">The rows.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>The scores.</returns>
    public HmmScore Score(IDataSource source, IReadOnlyList<int>? lengths = null) => Score(Data(source, lengths));

    /// <summary>The rows of <paramref name="source"/> scored as one sequence: mean log-likelihood
    /// per observed step, log-likelihood, BIC and AIC (<see cref="ModelScore.Likelihood"/>).</summary>
    /// <param name="source">The rows, one step each.</param>
    /// <returns>The named measures.</returns>
    public ModelScore Evaluate(IDataSource source)
    {
        HmmScore score = Score(source);
        return ModelScore.Likelihood(score.ObservedSteps, score.LogLikelihood / score.ObservedSteps, FreeParameterCount);
    }

    /// <summary>Posterior state probabilities γ_t(k) = p(state k at t | the whole sequence), n × K.</summary>
    /// <param name="rows">Steps, one row each.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>One row of K probabilities per step.</returns>
    public double[,] PredictProba(float[,] rows, IReadOnlyList<int>? lengths = null) => PredictProba(Data(rows, lengths));

    /// <summary>As <see cref="PredictProba(float[,], IReadOnlyList{int})"/> over a data source.</summary>
    /// <param name="source">The rows.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>One row of K probabilities per step.</returns>
    public double[,] PredictProba(IDataSource source, IReadOnlyList<int>? lengths = null) => PredictProba(Data(source, lengths));

    /// <summary>The most likely state path of each sequence (Viterbi) and its log-probability.</summary>
    /// <param name="rows">Steps, one row each.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>The paths.</returns>
    public HmmPath Decode(float[,] rows, IReadOnlyList<int>? lengths = null) => Decode(Data(rows, lengths));

    /// <summary>As <see cref="Decode(float[,], IReadOnlyList{int})"/> over a data source.</summary>
    /// <param name="source">The rows.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>The paths.</returns>
    public HmmPath Decode(IDataSource source, IReadOnlyList<int>? lengths = null) => Decode(Data(source, lengths));

    /// <summary>The Viterbi paths where <paramref name="options"/> say: on the reference engine, or on a
    /// device (parallel over sequences, and in time over the segments of long sequences by a
    /// (max, +) scan; see <see cref="HmmDecodeOptions"/>).</summary>
    /// <param name="rows">Steps, one row each.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <param name="options">The backend.</param>
    /// <returns>The paths.</returns>
    public HmmPath Decode(float[,] rows, IReadOnlyList<int>? lengths, HmmDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Decode(Data(rows, lengths), options);
    }

    /// <summary>As <see cref="Decode(float[,], IReadOnlyList{int}, HmmDecodeOptions)"/> over a data source.</summary>
    /// <param name="source">The rows.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <param name="options">The backend.</param>
    /// <returns>The paths.</returns>
    public HmmPath Decode(IDataSource source, IReadOnlyList<int>? lengths, HmmDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Decode(Data(source, lengths), options);
    }

    /// <summary>The Bayesian information criterion −2 log L + p ln n (n observed steps; lower is better).</summary>
    /// <param name="rows">Steps, one row each.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>BIC.</returns>
    public double Bic(float[,] rows, IReadOnlyList<int>? lengths = null)
    {
        HmmScore score = Score(rows, lengths);
        return -2 * score.LogLikelihood + FreeParameterCount * Math.Log(score.ObservedSteps);
    }

    /// <summary>The Akaike information criterion −2 log L + 2p (lower is better).</summary>
    /// <param name="rows">Steps, one row each.</param>
    /// <param name="lengths">Steps per sequence (null: one sequence).</param>
    /// <returns>AIC.</returns>
    public double Aic(float[,] rows, IReadOnlyList<int>? lengths = null) => -2 * Score(rows, lengths).LogLikelihood + 2 * FreeParameterCount;

    /// <summary>Draws sequences of the given lengths: the first state from π, each next from A, each row from its state.</summary>
    /// <param name="lengths">Steps of each sequence (≥ 1 each).</param>
    /// <param name="seed">Seeds the draws: the same seed gives the same sample.</param>
    /// <returns>The rows, hidden states and lengths.</returns>
    public HmmSample Sample(IReadOnlyList<int> lengths, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        UnitLayout layout = UnitLayout.FromLengths(lengths, "sequence", minimumLength: 1);
        if (layout.ItemCount > int.MaxValue)
            throw new ArgumentException($"{layout.ItemCount:N0} steps are more than one sample holds.", nameof(lengths));
        int n = (int)layout.ItemCount;
        int k = States;
        int d = Dimension;
        var rows = new float[n, d];
        var states = new int[n];
        var random = new Random(seed);
        var row = new float[d];
        int t = 0;
        foreach (int length in lengths)
        {
            int state = Draw(Parameters.Start, 0, k, random);
            for (int step = 0; step < length; step++, t++)
            {
                if (step > 0)
                    state = Draw(Parameters.Transitions, state * k, k, random);
                states[t] = state;
                Parameters.Emissions.Sample(state, random, row);
                for (int j = 0; j < d; j++)
                    rows[t, j] = row[j];
            }
        }
        return new HmmSample(rows, states, lengths.ToArray());
    }

    /// <summary>Reads a model file written by <see cref="FittedModel.Save(string)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    public static HiddenMarkovModel Load(string path) => ModelDocument.Load(path, HiddenMarkovCodec.Read);

    /// <summary>Reads a model file from a stream.</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <returns>The model.</returns>
    public static HiddenMarkovModel Load(Stream stream) => HiddenMarkovCodec.Read(stream, "(stream)");

    /// <inheritdoc/>
    public override void Save(Stream stream) => HiddenMarkovCodec.Write(this, stream);

    /// <inheritdoc/>
    public override void Describe(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("states", States);
        writer.WriteNumber("dimension", Dimension);
        writer.WriteString("emission", HiddenMarkovCodec.EmissionName(Emission));
        if (Covariance is { } type)
            writer.WriteString("covariance", type.ToString().ToLowerInvariant());
        if (Emission == HmmEmission.GaussianMixture)
            writer.WriteNumber("mixtureComponents", MixtureComponents);
        if (Emission == HmmEmission.Categorical)
            writer.WriteNumber("symbols", Symbols);
        writer.WriteNumber("sequences", SequenceCount);
        writer.WriteNumber("observedSteps", ObservedSteps);
        writer.WriteNumber("logLikelihood", LogLikelihood);
        writer.WriteNumber("freeParameters", FreeParameterCount);
        ModelDocument.WriteArray(writer, "startProbabilities", Parameters.Start);
    }

    /// <summary>Throws unless this model can start a fit under <paramref name="settings"/>.</summary>
    internal void RequireCompatible(HmmSettings settings)
    {
        string? problem =
            States != settings.States ? $"has {States} states, the options {settings.States}" :
            Dimension != settings.Dimension ? $"was fitted on {Dimension} columns, the data has {settings.Dimension}" :
            Emission != (settings.Emission == HmmEmission.GaussianMixture && settings.Components == 1 ? HmmEmission.Gaussian : settings.Emission)
                ? $"has {Emission} emissions, the options {settings.Emission}" :
            Covariance is { } type && type != settings.Covariance ? $"has {type} covariances, the options {settings.Covariance}" :
            MixtureComponents > 0 && MixtureComponents != settings.Components ? $"has {MixtureComponents} Gaussians per state, the options {settings.Components}" :
            Emission == HmmEmission.Categorical && Symbols != settings.Symbols ? $"has {Symbols} symbols, the data {settings.Symbols}" :
            null;
        if (problem is not null)
            throw new ArgumentException($"InitialModel {problem}; they must match.", "options");
    }

    internal HmmScore Score(HmmData data)
    {
        double[] logLikelihoods = new ReferenceHmmEngine(data).SequenceLogLikelihoods(Parameters);
        return new HmmScore(logLikelihoods.Sum(), logLikelihoods, data.ObservedSteps);
    }

    internal double[,] PredictProba(HmmData data)
    {
        (double[] gamma, _) = new ReferenceHmmEngine(data).Posteriors(Parameters);
        return ToMatrix(gamma, data.Rows.Rows, States);
    }

    internal HmmPath Decode(HmmData data, HmmDecodeOptions? options = null)
    {
        if (options is not null && options.Backend != Backend.Reference)
        {
            AcceleratorHandle? handle = DeviceManager.Resolve(options.Backend, notice => EmFit.Notice(options.Progress, notice));
            using AcceleratorHmmEngine? engine = EmFit.CreateEngine<AcceleratorHmmEngine?>(
                options.Backend, handle, h => h is null ? null : new AcceleratorHmmEngine(h, data, Settings(), options.DeviceMemoryLimit),
                options.Progress);
            if (engine is not null)
            {
                (int[] devicePath, double[] deviceLogProbabilities) = engine.Decode(Parameters);
                return new HmmPath(devicePath, deviceLogProbabilities);
            }
        }
        (int[] path, double[] logProbabilities) = new ReferenceHmmEngine(data).Decode(Parameters);
        return new HmmPath(path, logProbabilities);
    }

    // What an engine needs of the settings to run this model's E-step or Viterbi.
    internal HmmSettings Settings() => new()
    {
        States = States,
        Dimension = Dimension,
        Emission = Emission,
        Covariance = Covariance ?? CovarianceType.Diagonal,
        Components = Math.Max(1, MixtureComponents),
        Symbols = Symbols,
        Allowed = (bool[])Topology.Allowed.Clone(),
        StartAllowed = (bool[])Topology.StartAllowed.Clone(),
        Regularization = 0,
    };

    private HmmData Data(float[,] rows, IReadOnlyList<int>? lengths) =>
        Data(DataMatrix.From(rows, null, MissingValues.Marginalize, skipEmptyRows: true), lengths);

    private HmmData Data(IDataSource source, IReadOnlyList<int>? lengths) =>
        Data(DataMatrix.FromSource(source, null, MissingValues.Marginalize, skipEmptyRows: true), lengths);

    private HmmData Data(DataMatrix rows, IReadOnlyList<int>? lengths)
    {
        rows.RequireColumns(Dimension);
        return HmmData.Create(SequenceData.From(rows, lengths), Emission, Symbols, null, States);
    }

    private static int Draw(double[] probabilities, int offset, int count, Random random)
    {
        double u = random.NextDouble();
        double cumulative = 0;
        int last = 0;
        for (int j = 0; j < count; j++)
        {
            double p = probabilities[offset + j];
            if (p <= 0)
                continue;
            cumulative += p;
            last = j;
            if (u < cumulative)
                return j;
        }
        return last;
    }

    private static double[,] ToMatrix(double[] values, int rows, int columns)
    {
        var result = new double[rows, columns];
        Buffer.BlockCopy(values, 0, result, 0, rows * columns * sizeof(double));
        return result;
    }
}
