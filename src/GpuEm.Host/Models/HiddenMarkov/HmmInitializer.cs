using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The start of a restart. From <see cref="HiddenMarkovOptions.InitialModel"/> when given (its
/// parameters, with entries off the allowed transitions set to 0 and the rows that lost
/// probability so renormalized; the others are kept bit for bit);
/// otherwise from the restart's seed: π and each row of A uniform over the allowed entries (for
/// categorical emissions A starts sticky: 0.8 on staying, where allowed, the rest spread evenly);
/// Gaussian means from k-means (k-means++ seeding, K·M clusters, cluster c to state c / M) with
/// every covariance the data's own (as hmmlearn) plus the regularization, mixture weights 1/M;
/// Poisson rates from k-means centres (floored at <see cref="PoissonEmissions.MinimumRate"/>);
/// categorical probabilities the data's symbol frequencies each scaled by a seeded unit exponential
/// draw and renormalized (per state, a Dirichlet(1) draw weighted by the frequencies).
/// </summary>
internal static class HmmInitializer
{
    public static HmmParameters Create(HiddenMarkovOptions options, HmmSettings settings, HmmData data, EmStart start)
    {
        int k = settings.States;
        if (options.InitialModel is { } model)
            return FromModel(model.Parameters, settings);
        PhaseProgress? seeding = start.BeginSeeding();
        var random = new Random(start.Seed);
        var pi = Uniform(settings.StartAllowed);
        var transitions = new double[k * k];
        for (int i = 0; i < k; i++)
            Sticky(settings.Allowed.AsSpan(i * k, k), i, settings.Emission == HmmEmission.Categorical ? CategoricalStay : 0)
                .CopyTo(transitions, i * k);
        HmmEmissions emissions = settings.Emission switch
        {
            HmmEmission.Categorical => Categorical(settings, data, random),
            HmmEmission.Poisson => Poisson(settings, data, start.Seed),
            _ => Gaussian(settings, data, start.Seed),
        };
        seeding?.Done();
        return new HmmParameters(pi, transitions, emissions);
    }

    /// <summary>A model's parameters under the settings' allowed transitions and starts.</summary>
    public static HmmParameters FromModel(HmmParameters p, HmmSettings settings)
    {
        int k = settings.States;
        double[] pi = Masked(p.Start, settings.StartAllowed, "start probabilities");
        var transitions = new double[k * k];
        for (int i = 0; i < k; i++)
            Masked(p.Transitions.AsSpan(i * k, k), settings.Allowed.AsSpan(i * k, k), $"transition row {i}").CopyTo(transitions, i * k);
        return new HmmParameters(pi, transitions, p.Emissions);
    }

    private static double[] Masked(ReadOnlySpan<double> values, ReadOnlySpan<bool> allowed, string what)
    {
        var result = new double[values.Length];
        double sum = 0;
        bool masked = false;
        for (int j = 0; j < values.Length; j++)
        {
            if (allowed[j])
            {
                result[j] = values[j];
                sum += values[j];
            }
            else
            {
                masked |= values[j] != 0;
            }
        }
        if (!(sum > 0))
            throw new ArgumentException(
                $"The initial model's {what} put no probability on an allowed entry; it cannot start under this topology.", "options");
        // Nothing masked out: the model's values as they are (renormalizing a sum that is 1 only
        // up to rounding would move a fixed block by an ulp).
        if (!masked)
            return result;
        for (int j = 0; j < result.Length; j++)
            result[j] /= sum;
        return result;
    }

    // The initial probability of staying in a state, for categorical emissions (the others start
    // uniform): under uniform A the pair posteriors factorize, ξ_t(i, j) = γ_t(i) γ_{t+1}(j), so from
    // weakly separated emissions A stays near uniform, the first iterations move less than the
    // tolerance and the fit stops at that saddle (3 starts in 10 on a two-state test series).
    private const double CategoricalStay = 0.8;

    // Row i: `stay` on i when allowed, the rest spread evenly over the other allowed entries;
    // uniform over the allowed entries when stay is 0 or i is the only one.
    private static double[] Sticky(ReadOnlySpan<bool> allowed, int i, double stay)
    {
        int others = 0;
        for (int j = 0; j < allowed.Length; j++)
            others += allowed[j] && j != i ? 1 : 0;
        if (stay <= 0 || !allowed[i] || others == 0)
            return Uniform(allowed);
        var result = new double[allowed.Length];
        for (int j = 0; j < allowed.Length; j++)
            result[j] = !allowed[j] ? 0 : j == i ? stay : (1 - stay) / others;
        return result;
    }

    private static double[] Uniform(ReadOnlySpan<bool> allowed)
    {
        var result = new double[allowed.Length];
        int count = 0;
        foreach (bool a in allowed)
            count += a ? 1 : 0;
        for (int j = 0; j < allowed.Length; j++)
            result[j] = allowed[j] ? 1.0 / count : 0;
        return result;
    }

    // The observed, complete rows (k-means and the data's moments need whole rows).
    private static DataMatrix Complete(HmmData data) => data.Rows.CompleteRows();

    private static double[] Centres(DataMatrix rows, int clusters, int seed)
    {
        KMeansModel model = new KMeans.KMeans(new KMeansOptions
        {
            ClusterCount = clusters,
            Seed = seed,
            Backend = Backend.Reference,
        }).Fit(rows, CancellationToken.None);
        double[,] centres = model.Centres;
        return centres.Cast<double>().ToArray();
    }

    private static GaussianEmissions Gaussian(HmmSettings settings, HmmData data, int seed)
    {
        int k = settings.States;
        int m = settings.Components;
        int d = settings.Dimension;
        DataMatrix rows = Complete(data);
        if (rows.Rows < k * m)
            throw new ArgumentException(
                $"{k} states × {m} Gaussians need at least {k * m} complete rows; the data has {rows.Rows}.", "data");
        double[] means = Centres(rows, k * m, seed);
        // The data's covariance of the requested shape: one M-step of a single component on all rows.
        double[] mean = rows.WeightedMean();
        GaussianStatistics one = ReferenceGaussianEngine.FromResponsibilities(
            rows, 1, GaussianStatistics.NeedsDiagonalOnly(settings.Covariance), mean, (_, r) => r[0] = 1);
        GaussianParameters whole = GaussianMStep.Maximize(one, settings.Covariance, settings.Regularization);
        double[] covariances = settings.Covariance switch
        {
            CovarianceType.Tied => (double[])whole.Covariances.Clone(),
            _ => Enumerable.Range(0, k * m).SelectMany(_ => whole.Covariances).ToArray(),
        };
        var weights = Enumerable.Repeat(1.0 / m, k * m).ToArray();
        return new GaussianEmissions(k, m, GaussianParameters.Create(settings.Covariance, k * m, d, weights, means, covariances));
    }

    private static PoissonEmissions Poisson(HmmSettings settings, HmmData data, int seed)
    {
        int k = settings.States;
        DataMatrix rows = Complete(data);
        double[] rates = Centres(rows, k, seed).Select(v => Math.Max(v, PoissonEmissions.MinimumRate)).ToArray();
        return new PoissonEmissions(k, settings.Dimension, rates);
    }

    private static CategoricalEmissions Categorical(HmmSettings settings, HmmData data, Random random)
    {
        int k = settings.States;
        int symbols = settings.Symbols;
        var frequency = new double[symbols];
        DataMatrix rows = data.Rows;
        for (int row = 0; row < rows.Rows; row++)
            if (data.Empty is null || !data.Empty[row])
                frequency[(int)rows.Row(row)[0]]++;
        var probabilities = new double[k * symbols];
        for (int state = 0; state < k; state++)
        {
            double sum = 0;
            for (int s = 0; s < symbols; s++)
            {
                // A symbol never seen gets a small share, so a later sequence holding it stays possible.
                // The scale is a unit exponential draw (so each state's row is a Dirichlet(1) draw
                // weighted by the frequencies): a narrower draw (0.5 … 1.5) left the states so alike
                // that the first iterations moved less than the tolerance and the fit stopped there.
                double value = (frequency[s] + 1e-3) * -Math.Log(1 - random.NextDouble());
                probabilities[state * symbols + s] = value;
                sum += value;
            }
            for (int s = 0; s < symbols; s++)
                probabilities[state * symbols + s] /= sum;
        }
        return new CategoricalEmissions(k, symbols, probabilities);
    }
}
