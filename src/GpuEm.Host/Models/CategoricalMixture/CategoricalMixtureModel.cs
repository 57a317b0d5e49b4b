using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// A fitted categorical mixture: immutable; array properties return copies. Predictions run on
/// the host in float64 and take data as the fit does (levels in [0, L_j), −1 for missing).
/// </summary>
public sealed class CategoricalMixtureModel
{
    private readonly double[] _history;

    internal CategoricalMixtureModel(
        CategoricalParameters parameters, IReadOnlyList<double> history, bool converged, int iterations,
        Backend backend, string deviceName, double trainingWeight, bool cancelled)
    {
        Parameters = parameters;
        _history = history.ToArray();
        Converged = converged;
        Iterations = iterations;
        Backend = backend;
        DeviceName = deviceName;
        TrainingWeight = trainingWeight;
        Cancelled = cancelled;
    }

    internal CategoricalParameters Parameters { get; }

    /// <summary>Components k.</summary>
    public int ComponentCount => Parameters.K;

    /// <summary>Features d.</summary>
    public int Dimension => Parameters.Layout.Features;

    /// <summary>L_j, the number of levels of each feature (d values).</summary>
    public int[] LevelCounts => (int[])Parameters.Layout.LevelCounts.Clone();

    /// <summary>Mixing weights, k values summing to 1.</summary>
    public double[] Weights => (double[])Parameters.Weights.Clone();

    /// <summary>
    /// Probabilities, k × d × max_j L_j: [k, j, l] = θ_kjl = P(x_j = l | component k) for l &lt; L_j
    /// (summing to 1 over l), 0 for l ≥ L_j.
    /// </summary>
    public double[,,] Probabilities
    {
        get
        {
            LevelLayout layout = Parameters.Layout;
            var result = new double[ComponentCount, Dimension, layout.LevelCounts.Max()];
            for (int c = 0; c < ComponentCount; c++)
                for (int j = 0; j < Dimension; j++)
                    for (int l = 0; l < layout.LevelCounts[j]; l++)
                        result[c, j, l] = Parameters.Probabilities[c * layout.Total + layout.Offsets[j] + l];
            return result;
        }
    }

    /// <summary>
    /// The objective per (weighted) training point at the start, then after each iteration:
    /// (log-likelihood + α Σ_kjl log θ_kjl) / Σ w, with α the Smoothing. Never decreases.
    /// </summary>
    public IReadOnlyList<double> LogLikelihoodHistory => _history;

    /// <summary>Σ sample weights of the training data (n without weights).</summary>
    public double TrainingWeight { get; }

    /// <summary>Whether the change of the objective fell within the tolerance.</summary>
    public bool Converged { get; }

    /// <summary>Whether the fit was cancelled (then not converged).</summary>
    public bool Cancelled { get; }

    /// <summary>EM iterations (M-steps) of the winning restart.</summary>
    public int Iterations { get; }

    /// <summary>The backend that ran the fit.</summary>
    public Backend Backend { get; }

    /// <summary>The device that ran the fit.</summary>
    public string DeviceName { get; }

    /// <summary>Free parameters (k − 1 + k·Σ(L_j − 1)), for BIC and AIC.</summary>
    public long ParameterCount => CategoricalParameters.FreeParameterCount(ComponentCount, Parameters.Layout);

    /// <summary>The most probable component of each point.</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>n labels in [0, k).</returns>
    public int[] Predict(int[,] data)
    {
        CategoricalData validated = Validate(data, null);
        var labels = new int[validated.Rows];
        ForEachPosterior(validated, (row, posterior, _) =>
        {
            int best = 0;
            for (int c = 1; c < posterior.Length; c++)
                if (posterior[c] > posterior[best])
                    best = c;
            labels[row] = best;
        });
        return labels;
    }

    /// <summary>Posterior probabilities p(k | x_observed), n × k.</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>n × k probabilities; rows sum to 1.</returns>
    public double[,] PredictProba(int[,] data)
    {
        CategoricalData validated = Validate(data, null);
        var result = new double[validated.Rows, ComponentCount];
        ForEachPosterior(validated, (row, posterior, _) =>
        {
            for (int c = 0; c < posterior.Length; c++)
                result[row, c] = posterior[c];
        });
        return result;
    }

    /// <summary>log p(x_observed) of each point.</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>n log-probabilities.</returns>
    public double[] ScoreSamples(int[,] data) => ScoreSamples(Validate(data, null));

    /// <summary>Mean log p(x_observed) per point (weighted when weights are given).</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <param name="sampleWeights">Optional weights.</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(int[,] data, float[]? sampleWeights = null)
    {
        CategoricalData validated = Validate(data, sampleWeights);
        double[] scores = ScoreSamples(validated);
        double sum = 0;
        for (int i = 0; i < scores.Length; i++)
            sum += validated.Indicators.Weight(i) * scores[i];
        return sum / validated.TotalWeight;
    }

    /// <summary>Bayesian information criterion −2 log L + p ln n (lower is better).</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>BIC.</returns>
    public double Bic(int[,] data)
    {
        double[] scores = ScoreSamples(data);
        return -2 * scores.Sum() + ParameterCount * Math.Log(scores.Length);
    }

    /// <summary>Akaike information criterion −2 log L + 2p (lower is better).</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>AIC.</returns>
    public double Aic(int[,] data) => -2 * ScoreSamples(data).Sum() + 2.0 * ParameterCount;

    private CategoricalData Validate(int[,] data, float[]? sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetLength(1) != Dimension)
            throw new ArgumentException(
                $"The data has {data.GetLength(1)} columns but the model was fitted on {Dimension}.", nameof(data));
        return CategoricalData.From(data, Parameters.Layout.LevelCounts, sampleWeights);
    }

    private double[] ScoreSamples(CategoricalData data)
    {
        var result = new double[data.Rows];
        ForEachPosterior(data, (row, _, logProbability) => result[row] = logProbability);
        return result;
    }

    private delegate void PosteriorAction(int row, ReadOnlySpan<double> posterior, double logProbability);

    private void ForEachPosterior(CategoricalData data, PosteriorAction action)
    {
        const int chunk = 2048;
        Parallel.For(0, (data.Rows + chunk - 1) / chunk, index =>
        {
            var posterior = new double[ComponentCount];
            int end = Math.Min(data.Rows, (index + 1) * chunk);
            for (int row = index * chunk; row < end; row++)
            {
                Parameters.LogJoint(data.Row(row), posterior);
                double lse = GaussianDensity.Normalize(posterior);
                action(row, posterior, lse);
            }
        });
    }
}
