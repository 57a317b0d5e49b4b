using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Gaussian emissions, one Gaussian per state (M = 1) or a mixture of M per state (GMM-HMM), held
/// as the mixture code's <see cref="GaussianParameters"/> over K·M components (component
/// k·M + m is state k's m-th Gaussian) whose "weights" are the within-state mixture weights
/// (each state's M sum to 1; 1 for M = 1). So log b_k(x) = log Σ_m w_km N(x | μ_km, Σ_km) is
/// the log-sum-exp of the mixture code's log-joints over the state's components, and the
/// M-step is the mixture code's <see cref="GaussianMStep"/> on statistics weighted by
/// γ_t(k)·p(m | x_t, k).
/// </summary>
internal sealed class GaussianEmissions : HmmEmissions
{
    /// <summary>Below this share of the observations a state (or component) counts as empty.</summary>
    internal const double EmptyShare = 1e-10;

    public GaussianEmissions(int states, int components, GaussianParameters parameters)
    {
        if (parameters.K != states * components)
            throw new ArgumentException($"{parameters.K} Gaussians for {states} states × {components} components.");
        States = states;
        Components = components;
        Parameters = parameters;
    }

    public override int States { get; }

    /// <summary>Gaussians per state M.</summary>
    public int Components { get; }

    /// <summary>The K·M Gaussians (weights: within-state mixture weights).</summary>
    public GaussianParameters Parameters { get; }

    public override int Dimension => Parameters.D;

    public override HmmEmission Kind => Components == 1 ? HmmEmission.Gaussian : HmmEmission.GaussianMixture;

    public override int ScratchLength => Parameters.K + Parameters.D;

    public override long FreeParameterCount
    {
        get
        {
            // The mixture count has K·M − 1 weights; within-state weights have K·(M − 1).
            long mixture = GaussianParameters.FreeParameterCount(Parameters.Type, Parameters.K, Parameters.D);
            return mixture - (Parameters.K - 1) + (long)States * (Components - 1);
        }
    }

    public override void LogDensity(ReadOnlySpan<float> x, Span<double> logB, Span<double> scratch)
    {
        Span<double> joint = scratch[..Parameters.K];
        LogJoint(x, joint, scratch.Slice(Parameters.K, Parameters.D));
        if (Components == 1)
        {
            joint.CopyTo(logB);
            return;
        }
        for (int k = 0; k < States; k++)
            logB[k] = LogSumExp(joint.Slice(k * Components, Components));
    }

    public override HmmEmissionStatistics CreateStatistics() => new Statistics(this);

    public override HmmEmissions Maximize(HmmEmissionStatistics statistics, HmmSettings settings)
    {
        var stats = (Statistics)statistics;
        GaussianStatistics sums = stats.Sums;
        int k = Parameters.K;
        int d = Parameters.D;
        ResolvedGaussianConstraints constraints = settings.GaussianConstraints!;
        GaussianParameters next = GaussianMStep.Maximize(sums, constraints);
        double total = sums.Weight.Sum();
        double empty = EmptyShare * Math.Max(1, total);
        double[] means = next.Means;
        double[] covariances = next.Covariances;
        var weights = new double[k];
        for (int state = 0; state < States; state++)
        {
            double stateWeight = 0;
            for (int m = 0; m < Components; m++)
                stateWeight += sums.Weight[state * Components + m];
            for (int m = 0; m < Components; m++)
            {
                int c = state * Components + m;
                bool keep = stateWeight <= empty || sums.Weight[c] <= empty;
                weights[c] = stateWeight <= empty ? Parameters.Weights[c] : sums.Weight[c] / stateWeight;
                if (!keep)
                    continue;
                // An empty component keeps its mean and covariance (a tied covariance is pooled).
                Array.Copy(Parameters.Means, c * d, means, c * d, d);
                switch (Parameters.Type)
                {
                    case CovarianceType.Full:
                        Array.Copy(Parameters.Covariances, c * d * d, covariances, c * d * d, d * d);
                        break;
                    case CovarianceType.Diagonal:
                        Array.Copy(Parameters.Covariances, c * d, covariances, c * d, d);
                        break;
                    case CovarianceType.Spherical:
                        covariances[c] = Parameters.Covariances[c];
                        break;
                }
            }
            if (Components > 1 && stateWeight > empty)
                FloorWeights(weights.AsSpan(state * Components, Components), empty / stateWeight);
        }
        return new GaussianEmissions(States, Components, GaussianParameters.Create(Parameters.Type, k, d, weights, means, covariances));
    }

    public override double LogPrior(HmmSettings settings) =>
        settings.GaussianConstraints?.Prior is null ? 0 : settings.GaussianConstraints.LogPrior(Parameters);

    public override void Sample(int state, Random random, Span<float> target)
    {
        int d = Parameters.D;
        int c = state * Components;
        if (Components > 1)
        {
            double u = random.NextDouble();
            int m = 0;
            double cumulative = Parameters.Weights[c];
            while (m < Components - 1 && u >= cumulative)
            {
                m++;
                cumulative += Parameters.Weights[c + m];
            }
            c += m;
        }
        var covariance = new double[d * d];
        Parameters.ExpandCovariance(c, covariance);
        var lower = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(d, d, (i, j) => covariance[i * d + j]).Cholesky().Factor;
        var z = new double[d];
        for (int j = 0; j < d; j++)
            z[j] = StandardNormal(random);
        for (int i = 0; i < d; i++)
        {
            double value = Parameters.Means[c * d + i];
            for (int j = 0; j <= i; j++)
                value += lower[i, j] * z[j];
            target[i] = (float)value;
        }
    }

    /// <summary>log N-joint of every component (log w_km + log N), a NaN row by its marginal.</summary>
    internal void LogJoint(ReadOnlySpan<float> x, Span<double> joint, Span<double> centred)
    {
        if (HasNaN(x))
            MissingValueGaussian.LogJoint(Parameters, x, joint);
        else
            GaussianDensity.LogJoint(Parameters, x, joint, centred);
    }

    internal static bool HasNaN(ReadOnlySpan<float> x)
    {
        foreach (float v in x)
            if (float.IsNaN(v))
                return true;
        return false;
    }

    internal static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values)
            max = Math.Max(max, v);
        if (double.IsNegativeInfinity(max))
            return max;
        double sum = 0;
        foreach (double v in values)
            sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    // Keeps every mixture weight positive (log w finite) and the state's weights summing to 1.
    private static void FloorWeights(Span<double> weights, double floor)
    {
        double sum = 0;
        for (int m = 0; m < weights.Length; m++)
        {
            weights[m] = Math.Max(weights[m], floor);
            sum += weights[m];
        }
        for (int m = 0; m < weights.Length; m++)
            weights[m] /= sum;
    }

    /// <summary>Σ γ·p(m | x, k) (1, x − μ, (x − μ)(x − μ)ᵀ) per component, around the current means.</summary>
    /// <summary>Statistics whose sums were computed elsewhere (the accelerator engine), around their own shifts.</summary>
    internal HmmEmissionStatistics FromSums(GaussianStatistics sums) => new Statistics(this, sums);

    private sealed class Statistics(GaussianEmissions owner, GaussianStatistics? sums = null) : HmmEmissionStatistics
    {
        public GaussianStatistics Sums { get; } = sums ?? new(
            owner.Parameters.K, owner.Parameters.D, GaussianStatistics.NeedsDiagonalOnly(owner.Parameters.Type),
            owner.Parameters.Means);

        public override void AddStep(ReadOnlySpan<float> x, ReadOnlySpan<double> gamma, Span<double> scratch)
        {
            GaussianParameters p = owner.Parameters;
            int m = owner.Components;
            Span<double> r = scratch[..p.K];
            Span<double> centred = scratch.Slice(p.K, p.D);
            if (m == 1)
            {
                gamma.CopyTo(r);
            }
            else
            {
                owner.LogJoint(x, r, centred);
                for (int k = 0; k < owner.States; k++)
                {
                    Span<double> state = r.Slice(k * m, m);
                    GaussianDensity.Normalize(state);
                    for (int c = 0; c < m; c++)
                        state[c] *= gamma[k];
                }
            }
            if (HasNaN(x))
                MissingValueGaussian.AddRow(p, x, r, Sums);
            else
                Sums.AddPoint(x, r, centred);
            Sums.TotalWeight += 1;
        }

        public override void Add(HmmEmissionStatistics other) => Sums.Add(((Statistics)other).Sums);

        public override void Clear() => Sums.Clear();

        public override void Finish() => Sums.MirrorUpper();
    }
}
