using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// A fitted Bernoulli mixture: immutable; array properties return copies. Predictions run on the
/// host in float64, whatever backend fitted the model, and take data as the fit does (0, 1, NaN
/// for missing; a missing entry is marginalized out).
/// </summary>
public sealed class BernoulliMixtureModel
{
    private readonly double[] _history;

    internal BernoulliMixtureModel(
        BernoulliParameters parameters, IReadOnlyList<double> history, bool converged, int iterations,
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

    internal BernoulliParameters Parameters { get; }

    /// <summary>Components k.</summary>
    public int ComponentCount => Parameters.K;

    /// <summary>Features d.</summary>
    public int Dimension => Parameters.D;

    /// <summary>Mixing weights, k values summing to 1.</summary>
    public double[] Weights => (double[])Parameters.Weights.Clone();

    /// <summary>Probabilities, k × d: [k, j] = P(x_j = 1 | component k), inside (0, 1) when
    /// Smoothing &gt; 0.</summary>
    public double[,] Probabilities
    {
        get
        {
            var result = new double[ComponentCount, Dimension];
            for (int c = 0; c < ComponentCount; c++)
                for (int j = 0; j < Dimension; j++)
                    result[c, j] = Parameters.Probabilities[c * Dimension + j];
            return result;
        }
    }

    /// <summary>
    /// The objective per (weighted) training point at the start, then after each iteration:
    /// (log-likelihood + α Σ_kj [log p_kj + log(1 − p_kj)]) / Σ w, with α the Smoothing (so the
    /// mean log-likelihood itself when Smoothing is 0). Never decreases.
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

    /// <summary>Free parameters (k − 1 + k·d), for BIC and AIC.</summary>
    public long ParameterCount => BernoulliParameters.FreeParameterCount(ComponentCount, Dimension);

    /// <summary>The most probable component of each point.</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>n labels in [0, k).</returns>
    public int[] Predict(float[,] data)
    {
        var labels = new int[data?.GetLength(0) ?? 0];
        ForEachPosterior(data, (row, posterior, _) =>
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
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>n × k probabilities; rows sum to 1.</returns>
    public double[,] PredictProba(float[,] data)
    {
        var result = new double[data?.GetLength(0) ?? 0, ComponentCount];
        ForEachPosterior(data, (row, posterior, _) =>
        {
            for (int c = 0; c < posterior.Length; c++)
                result[row, c] = posterior[c];
        });
        return result;
    }

    /// <summary>log p(x_observed) of each point (missing entries marginalized out).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>n log-probabilities.</returns>
    public double[] ScoreSamples(float[,] data)
    {
        var result = new double[data?.GetLength(0) ?? 0];
        ForEachPosterior(data, (row, _, logProbability) => result[row] = logProbability);
        return result;
    }

    /// <summary>Mean log p(x_observed) per point (weighted when weights are given).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <param name="sampleWeights">Optional weights.</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(float[,] data, float[]? sampleWeights = null)
    {
        BinaryData binary = Validate(data, sampleWeights);
        double[] scores = ScoreSamples(binary);
        double sum = 0;
        for (int i = 0; i < scores.Length; i++)
            sum += binary.Indicators.Weight(i) * scores[i];
        return sum / binary.TotalWeight;
    }

    /// <summary>Bayesian information criterion −2 log L + p ln n (lower is better).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>BIC.</returns>
    public double Bic(float[,] data)
    {
        double logLikelihood = ScoreSamples(data).Sum();
        return -2 * logLikelihood + ParameterCount * Math.Log(data.GetLength(0));
    }

    /// <summary>Akaike information criterion −2 log L + 2p (lower is better).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>AIC.</returns>
    public double Aic(float[,] data) => -2 * ScoreSamples(data).Sum() + 2.0 * ParameterCount;

    private BinaryData Validate(float[,]? data, float[]? sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(data);
        BinaryData binary = BinaryData.From(data, sampleWeights);
        binary.Indicators.RequireColumns(Dimension);
        return binary;
    }

    private double[] ScoreSamples(BinaryData data)
    {
        var result = new double[data.Rows];
        ForEachPosterior(data, (row, _, logProbability) => result[row] = logProbability);
        return result;
    }

    private delegate void PosteriorAction(int row, ReadOnlySpan<double> posterior, double logProbability);

    private void ForEachPosterior(float[,]? data, PosteriorAction action) =>
        ForEachPosterior(Validate(data, null), action);

    private void ForEachPosterior(BinaryData data, PosteriorAction action)
    {
        const int chunk = 2048;
        Parallel.For(0, (data.Rows + chunk - 1) / chunk, index =>
        {
            var posterior = new double[ComponentCount];
            int end = Math.Min(data.Rows, (index + 1) * chunk);
            for (int row = index * chunk; row < end; row++)
            {
                BernoulliDensity.LogJoint(Parameters, data.Indicators.Row(row), data.MaskRow(row), posterior);
                double lse = GaussianDensity.Normalize(posterior);
                action(row, posterior, lse);
            }
        });
    }
}
