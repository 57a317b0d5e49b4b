using GpuEm.Data;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The options resolved against the data: shapes, the allowed transitions and starts, the
/// priors, the fixed blocks. Shared by the M-step, the start and the fitted model.
/// </summary>
internal sealed class HmmSettings
{
    public required int States { get; init; }

    public required int Dimension { get; init; }

    public required HmmEmission Emission { get; init; }

    public required CovarianceType Covariance { get; init; }

    /// <summary>Gaussians per state (1 unless GMM emissions).</summary>
    public required int Components { get; init; }

    /// <summary>Symbols M (categorical; 0 otherwise).</summary>
    public required int Symbols { get; init; }

    /// <summary>Allowed transitions, K × K row-major.</summary>
    public required bool[] Allowed { get; init; }

    /// <summary>Allowed start states, K.</summary>
    public required bool[] StartAllowed { get; init; }

    public required double Regularization { get; init; }

    /// <summary>The mixture code's constraints over the K·M Gaussians (Gaussian emissions; else null).</summary>
    public ResolvedGaussianConstraints? GaussianConstraints { get; init; }

    public double StartConcentration { get; init; } = 1;

    public double TransitionConcentration { get; init; } = 1;

    public double EmissionConcentration { get; init; } = 1;

    public (double Shape, double Rate) RatePrior { get; init; } = (1, 0);

    public HmmParts Fixed { get; init; }

    /// <summary>Whether any prior adds to the objective.</summary>
    public bool HasPrior =>
        StartConcentration != 1 || TransitionConcentration != 1 || EmissionConcentration != 1 || RatePrior != (1, 0) ||
        GaussianConstraints?.Prior is not null;

    /// <summary>Resolves <paramref name="options"/> for data of <paramref name="rows"/>'s shape.</summary>
    public static HmmSettings Resolve(HiddenMarkovOptions options, DataMatrix rows, int symbols)
    {
        int k = options.States;
        int components = options.Emission == HmmEmission.GaussianMixture ? options.MixtureComponents : 1;
        (bool[] allowed, bool[] startAllowed) = Topology(options, k);
        bool gaussian = options.Emission is HmmEmission.Gaussian or HmmEmission.GaussianMixture;
        ResolvedGaussianConstraints? constraints = null;
        if (gaussian)
        {
            var mixture = new GaussianMixtureOptions
            {
                ComponentCount = k * components,
                CovarianceType = options.Covariance,
                CovarianceRegularization = options.CovarianceRegularization,
                Prior = options.EmissionPrior is null ? null : options.EmissionPrior with { WeightConcentration = 1 },
            };
            constraints = ResolvedGaussianConstraints.Resolve(mixture, rows.IncompleteRows.Length > 0 ? rows.ImputeColumnMeans() : rows);
        }
        return new HmmSettings
        {
            States = k,
            Dimension = rows.Columns,
            Emission = options.Emission,
            Covariance = options.Covariance,
            Components = components,
            Symbols = symbols,
            Allowed = allowed,
            StartAllowed = startAllowed,
            Regularization = options.CovarianceRegularization,
            GaussianConstraints = constraints,
            StartConcentration = options.StartConcentration,
            TransitionConcentration = options.TransitionConcentration,
            EmissionConcentration = options.EmissionConcentration,
            RatePrior = options.RatePrior,
            Fixed = options.Fixed,
        };
    }

    /// <summary>
    /// The allowed transitions and starts: the mask when given (every start allowed), else the
    /// topology's. Every state needs an allowed successor.
    /// </summary>
    internal static (bool[] Allowed, bool[] StartAllowed) Topology(HiddenMarkovOptions options, int k)
    {
        var allowed = new bool[k * k];
        var start = new bool[k];
        if (options.AllowedTransitions is { } mask)
        {
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    allowed[i * k + j] = mask[i, j];
            Array.Fill(start, true);
        }
        else if (options.Topology == HmmTopology.LeftRight)
        {
            int jump = options.MaxJump ?? k;
            for (int i = 0; i < k; i++)
                for (int j = i; j < k && j - i <= jump; j++)
                    allowed[i * k + j] = true;
            start[0] = true;
        }
        else
        {
            Array.Fill(allowed, true);
            Array.Fill(start, true);
        }
        for (int i = 0; i < k; i++)
        {
            bool any = false;
            for (int j = 0; j < k; j++)
                any |= allowed[i * k + j];
            if (!any)
                throw new ArgumentException(
                    $"AllowedTransitions leaves state {i} with no way out (row {i} is all false); allow at least one transition from every state.",
                    nameof(options));
        }
        return (allowed, start);
    }
}
