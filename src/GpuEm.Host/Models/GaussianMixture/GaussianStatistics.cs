namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Sufficient statistics of a Gaussian mixture, taken around a per-component shift c_k
/// (the current means) so that the covariance needs no E[x²] − E[x]² cancellation:
/// N_k = Σ w r, S1_k = Σ w r (x − c_k), S2_k = Σ w r (x − c_k)(x − c_k)ᵀ (full: d × d, row-major,
/// symmetric; diagonal: d squares). Statistics over disjoint chunks with the same shifts add up.
/// </summary>
internal sealed class GaussianStatistics
{
    public GaussianStatistics(int k, int d, bool diagonal, double[] shifts)
    {
        K = k;
        D = d;
        Diagonal = diagonal;
        Shifts = shifts;
        Weight = new double[k];
        Sum1 = new double[k * d];
        Sum2 = new double[diagonal ? k * d : k * d * d];
    }

    public int K { get; }

    public int D { get; }

    /// <summary>True when S2 holds only the diagonal (diagonal and spherical covariances).</summary>
    public bool Diagonal { get; }

    /// <summary>The shifts c, k × d; shared, never written.</summary>
    public double[] Shifts { get; }

    public double[] Weight { get; }

    public double[] Sum1 { get; }

    public double[] Sum2 { get; }

    /// <summary>Σ w · log p(x) over the points.</summary>
    public double LogLikelihood { get; set; }

    /// <summary>Σ w over the points.</summary>
    public double TotalWeight { get; set; }

    public static bool NeedsDiagonalOnly(CovarianceType type) =>
        type is CovarianceType.Diagonal or CovarianceType.Spherical;

    /// <summary>Adds <paramref name="other"/> (same shapes and shifts) into this.</summary>
    public void Add(GaussianStatistics other)
    {
        AddInto(Weight, other.Weight);
        AddInto(Sum1, other.Sum1);
        AddInto(Sum2, other.Sum2);
        LogLikelihood += other.LogLikelihood;
        TotalWeight += other.TotalWeight;
    }

    /// <summary>Clears the sums (keeps the shifts).</summary>
    public void Clear()
    {
        Array.Clear(Weight);
        Array.Clear(Sum1);
        Array.Clear(Sum2);
        LogLikelihood = 0;
        TotalWeight = 0;
    }

    /// <summary>
    /// Adds one point with weighted responsibilities <paramref name="r"/> (w·r per component).
    /// Full statistics fill the upper triangle only; call <see cref="MirrorUpper"/> once at the end.
    /// </summary>
    public void AddPoint(ReadOnlySpan<float> x, ReadOnlySpan<double> r, Span<double> centred)
    {
        int d = D;
        for (int c = 0; c < K; c++)
        {
            double rc = r[c];
            if (rc == 0)
                continue;
            Weight[c] += rc;
            ReadOnlySpan<double> shift = Shifts.AsSpan(c * d, d);
            Span<double> s1 = Sum1.AsSpan(c * d, d);
            for (int j = 0; j < d; j++)
            {
                double z = x[j] - shift[j];
                centred[j] = z;
                s1[j] += rc * z;
            }
            if (Diagonal)
            {
                Span<double> s2 = Sum2.AsSpan(c * d, d);
                for (int j = 0; j < d; j++)
                    s2[j] += rc * centred[j] * centred[j];
            }
            else
            {
                Span<double> s2 = Sum2.AsSpan(c * d * d, d * d);
                for (int i = 0; i < d; i++)
                {
                    double ri = rc * centred[i];
                    Span<double> rowSpan = s2.Slice(i * d, d);
                    for (int j = i; j < d; j++)
                        rowSpan[j] += ri * centred[j];
                }
            }
        }
    }

    /// <summary>Copies the upper triangle of every full S2 into its lower triangle.</summary>
    public void MirrorUpper()
    {
        if (Diagonal)
            return;
        int d = D;
        for (int c = 0; c < K; c++)
        {
            int offset = c * d * d;
            for (int i = 0; i < d; i++)
                for (int j = i + 1; j < d; j++)
                    Sum2[offset + j * d + i] = Sum2[offset + i * d + j];
        }
    }

    private static void AddInto(double[] target, double[] source)
    {
        for (int i = 0; i < target.Length; i++)
            target[i] += source[i];
    }
}
