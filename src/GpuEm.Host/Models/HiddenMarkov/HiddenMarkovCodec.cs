using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Persistence;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The model file of a hidden Markov model (format "gpuem.hidden-markov", version 1): states K,
/// dimension d, emission ("gaussian", "gmm", "categorical", "poisson"), startProbabilities (K),
/// transitionMatrix (K × K row-major), allowedTransitions (K × K of 0/1) and allowedStarts (K);
/// Gaussian emissions: covarianceType, mixtureComponents M, mixtureWeights (K × M), means
/// ((K·M) × d) and covariances in the mixture file's compact form over the K·M Gaussians;
/// categorical: symbols M and emissionProbabilities (K × M); Poisson: rates (K × d). Then
/// logLikelihood (training total), observedSteps, sequences and the fit summary
/// (objectiveHistory, …). Numbers round-trip exactly; every distribution must sum to 1 within
/// 1e-9 and put nothing on a transition or start that is not allowed.
/// </summary>
internal static class HiddenMarkovCodec
{
    public static string EmissionName(HmmEmission emission) => emission switch
    {
        HmmEmission.Gaussian => "gaussian",
        HmmEmission.GaussianMixture => "gmm",
        HmmEmission.Categorical => "categorical",
        _ => "poisson",
    };

    public static void Write(HiddenMarkovModel model, Stream stream) =>
        ModelDocument.Write(stream, HiddenMarkovModel.FormatName, w =>
        {
            HmmParameters p = model.Parameters;
            w.WriteNumber("states", p.States);
            w.WriteNumber("dimension", p.Emissions.Dimension);
            w.WriteString("emission", EmissionName(p.Emissions.Kind));
            ModelDocument.WriteArray(w, "startProbabilities", p.Start);
            ModelDocument.WriteArray(w, "transitionMatrix", p.Transitions);
            ModelDocument.WriteArray(w, "allowedTransitions", model.Topology.Allowed.Select(a => a ? 1 : 0));
            ModelDocument.WriteArray(w, "allowedStarts", model.Topology.StartAllowed.Select(a => a ? 1 : 0));
            switch (p.Emissions)
            {
                case GaussianEmissions g:
                    w.WriteString("covarianceType", g.Parameters.Type.ToString());
                    w.WriteNumber("mixtureComponents", g.Components);
                    ModelDocument.WriteArray(w, "mixtureWeights", g.Parameters.Weights);
                    ModelDocument.WriteArray(w, "means", g.Parameters.Means);
                    ModelDocument.WriteArray(w, "covariances", g.Parameters.Covariances);
                    break;
                case CategoricalEmissions c:
                    w.WriteNumber("symbols", c.Symbols);
                    ModelDocument.WriteArray(w, "emissionProbabilities", c.Probabilities);
                    break;
                case PoissonEmissions poisson:
                    ModelDocument.WriteArray(w, "rates", poisson.Rates);
                    break;
            }
            w.WriteNumber("logLikelihood", model.LogLikelihood);
            w.WriteNumber("observedSteps", model.ObservedSteps);
            w.WriteNumber("sequences", model.SequenceCount);
            FitSummaryFields.Write(w, model.Summary, "objectiveHistory", model.Summary.ObjectiveHistory);
        });

    public static HiddenMarkovModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, HiddenMarkovModel.FormatName, Read);

    private static HiddenMarkovModel Read(ModelDocument.Reader r)
    {
        (int k, int d) = r.Sizes("states", "dimension");
        string name = r.String("emission");
        HmmEmission emission = name switch
        {
            "gaussian" => HmmEmission.Gaussian,
            "gmm" => HmmEmission.GaussianMixture,
            "categorical" => HmmEmission.Categorical,
            "poisson" => HmmEmission.Poisson,
            _ => throw r.Fail($"has emission '{ModelDocument.Clip(name)}'; expected gaussian, gmm, categorical or poisson"),
        };
        int square = r.Length("transitionMatrix", k, k);
        bool[] allowed = Flags(r, "allowedTransitions", square);
        bool[] allowedStarts = Flags(r, "allowedStarts", k);
        double[] start = Distribution(r, "startProbabilities", r.Doubles("startProbabilities", k), 0, k, allowedStarts, "the start");
        double[] transitions = r.Doubles("transitionMatrix", square);
        for (int i = 0; i < k; i++)
            Distribution(r, "transitionMatrix", transitions, i * k, k, allowed, $"row {i}");
        HmmEmissions emissions = emission switch
        {
            HmmEmission.Categorical => Categorical(r, k, d),
            HmmEmission.Poisson => Poisson(r, k, d),
            _ => Gaussian(r, k, d, emission),
        };
        double logLikelihood = r.Double("logLikelihood");
        long observed = r.Int("observedSteps");
        int sequences = r.Int("sequences");
        if (observed < 1 || sequences < 1)
            throw r.Fail($"has observedSteps {observed} and sequences {sequences}; both must be ≥ 1");
        FitSummary summary = FitSummaryFields.Read(r, "objectiveHistory");
        return new HiddenMarkovModel(
            new HmmParameters(start, transitions, emissions), new Topology(allowed, allowedStarts), summary, logLikelihood, observed, sequences);
    }

    private static bool[] Flags(ModelDocument.Reader r, string field, int length)
    {
        int[] values = r.Ints(field, length);
        var flags = new bool[length];
        for (int i = 0; i < length; i++)
        {
            if (values[i] is not (0 or 1))
                throw r.Fail($"has {values[i]} in '{field}'; entries are 0 or 1");
            flags[i] = values[i] == 1;
        }
        return flags;
    }

    // Checks one probability vector (entries in [0, 1], summing to 1, 0 where not allowed).
    private static double[] Distribution(
        ModelDocument.Reader r, string field, double[] values, int offset, int length, bool[]? allowed, string what)
    {
        double sum = 0;
        for (int j = 0; j < length; j++)
        {
            double p = values[offset + j];
            if (!(p >= 0 && p <= 1))
                throw r.Fail($"has a probability {p} outside [0, 1] in '{field}' ({what}, entry {j})");
            if (allowed is not null && p > 0 && !allowed[offset + j - (allowed.Length == length ? offset : 0)])
                throw r.Fail($"has probability {p} on entry {j} of {what} in '{field}', which its allowed entries forbid");
            sum += p;
        }
        if (Math.Abs(sum - 1) > 1e-9)
            throw r.Fail($"has '{field}' {what} summing to {sum}, not 1");
        return values;
    }

    private static GaussianEmissions Gaussian(ModelDocument.Reader r, int k, int d, HmmEmission emission)
    {
        CovarianceType type = r.Enum<CovarianceType>("covarianceType");
        int m = r.Int("mixtureComponents");
        if (m < 1 || (emission == HmmEmission.Gaussian && m != 1) || (long)k * m > int.MaxValue)
            throw r.Fail($"has mixtureComponents {m}; a {EmissionName(emission)} model needs " + (emission == HmmEmission.Gaussian ? "1" : "≥ 1"));
        int components = k * m;
        double[] weights = r.Doubles("mixtureWeights", r.Length("mixtureWeights", k, m));
        for (int state = 0; state < k; state++)
        {
            Distribution(r, "mixtureWeights", weights, state * m, m, null, $"state {state}");
            for (int c = 0; c < m; c++)
                if (!(weights[state * m + c] > 0))
                    throw r.Fail($"has mixture weight {weights[state * m + c]} (state {state}); weights must be positive");
        }
        double[] means = r.Doubles("means", r.Length("means", components, d));
        double[] covariances = r.Doubles("covariances", type switch
        {
            CovarianceType.Full => r.Length("covariances", components, d, d),
            CovarianceType.Tied => r.Length("covariances", d, d),
            CovarianceType.Diagonal => r.Length("covariances", components, d),
            _ => components,
        });
        GaussianMixtureCodec.CheckCovariances(r, type, components, d, covariances);
        GaussianParameters parameters;
        try
        {
            parameters = GaussianParameters.Create(type, components, d, weights, means, covariances);
        }
        catch (SingularCovarianceException ex)
        {
            throw new ModelFormatException(
                $"The model file {r.Source} has 'covariances' of Gaussian {ex.Component} that are not positive definite.", ex);
        }
        GaussianMixtureCodec.CheckPrecisions(r, parameters);
        return new GaussianEmissions(k, m, parameters);
    }

    private static CategoricalEmissions Categorical(ModelDocument.Reader r, int k, int d)
    {
        if (d != 1)
            throw r.Fail($"has dimension {d}; categorical emissions take one column");
        int symbols = r.Int("symbols");
        if (symbols < 1)
            throw r.Fail($"has symbols {symbols}; it must be ≥ 1");
        double[] probabilities = r.Doubles("emissionProbabilities", r.Length("emissionProbabilities", k, symbols));
        for (int state = 0; state < k; state++)
            Distribution(r, "emissionProbabilities", probabilities, state * symbols, symbols, null, $"state {state}");
        return new CategoricalEmissions(k, symbols, probabilities);
    }

    private static PoissonEmissions Poisson(ModelDocument.Reader r, int k, int d)
    {
        double[] rates = r.Doubles("rates", r.Length("rates", k, d));
        foreach (double rate in rates)
            if (!(rate > 0) || !double.IsFinite(rate))
                throw r.Fail($"has a rate {rate}; rates must be positive and finite");
        return new PoissonEmissions(k, d, rates);
    }
}
