using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;

namespace GpuEm.Kernels.HiddenMarkov;

/// <summary>
/// The E-step of a hidden Markov model: emission log-densities log b_k(x_t) per time step, then
/// the scaled (Rabiner) forward-backward pass over many sequences, one group per sequence slot,
/// with the expected transition counts, start counts and log-likelihood summed in float64.
/// </summary>
/// <remarks>
/// Layouts: <c>logB</c> and <c>posteriors</c> are row-major n × K (row t = time step t of the
/// concatenated sequences); sequence s covers the rows [sequenceStarts[s], sequenceStarts[s + 1]).
/// Per group g the partials hold <see cref="PartialStride"/> doubles at g · stride:
/// the K × K transition counts Σ_t ξ_t(i, j) (row-major), the K start counts γ_0(k) and the
/// group's log-likelihood, so that one combine in group order gives all the totals.
/// A long sequence may be cut into segments, each a unit of its own: <see cref="SegmentTransferKernel"/>
/// gives each segment's transfer matrix, the host scans them into the messages that enter
/// (α̂ before the segment) and leave (β̂ after it) every segment, and the forward-backward pass
/// runs each segment from those messages (parallel in time; Hassan, Särkkä and García-Fernández,
/// IEEE TSP 2021, in its blocked form).
/// </remarks>
public static class HmmKernels
{
    /// <summary>Doubles each group writes to the partials: K² transition counts, K start counts, 1 log-likelihood.</summary>
    /// <param name="stateCount">K.</param>
    /// <returns>K² + K + 1.</returns>
    public static int PartialStride(int stateCount) => stateCount * stateCount + stateCount + 1;

    /// <summary>
    /// Row pitch of the K × K matrices staged in shared memory: K rounded up to odd, so that the
    /// threads of a warp, each on its own row, hit distinct banks.
    /// </summary>
    /// <param name="stateCount">K.</param>
    /// <returns>K | 1.</returns>
    public static int SharedPitch(int stateCount) => stateCount | 1;

    /// <summary>Boundary flag: the unit continues a sequence; its α̂ enters from the unit's messages.</summary>
    public const int HasIncoming = 1;

    /// <summary>Boundary flag: the sequence goes on after the unit; its β̂ leaves from the unit's messages.</summary>
    public const int HasOutgoing = 2;

    /// <summary>Boundary flag: <see cref="SegmentTransferKernel"/> computes the unit's transfer matrix.</summary>
    public const int NeedsTransfer = 4;

    /// <summary>
    /// Dynamic shared memory of one <see cref="SegmentTransferKernel"/> group, in doubles: Φ (K × K),
    /// a block of ⌊B / K⌋ new rows, B doubles for the reductions, then as floats the step's b (K)
    /// and B floats for the max.
    /// </summary>
    /// <param name="stateCount">K (≤ B).</param>
    /// <param name="groupSize">Threads per group B.</param>
    /// <returns>The number of doubles.</returns>
    public static int TransferSharedDoubles(int stateCount, int groupSize) =>
        stateCount * stateCount + groupSize / stateCount * stateCount + groupSize + (stateCount + groupSize + 1) / 2;

    /// <summary>
    /// Dynamic shared memory of one <see cref="ForwardBackwardKernel"/> group, in doubles: the K × K
    /// float64 counts (when in shared, rows of <see cref="SharedPitch"/>), then as floats two
    /// K-vectors, one float per thread for the reductions and the K × K transition matrix (when in
    /// shared, rows of <see cref="SharedPitch"/>).
    /// </summary>
    /// <param name="stateCount">K.</param>
    /// <param name="groupSize">Threads per group.</param>
    /// <param name="countsInShared">Whether the counts are summed in shared memory.</param>
    /// <param name="transitionsInShared">Whether the transition matrix is staged.</param>
    /// <returns>The number of doubles.</returns>
    public static int SharedDoubles(int stateCount, int groupSize, bool countsInShared, bool transitionsInShared)
    {
        long squares = (long)stateCount * SharedPitch(stateCount);
        long floats = 2L * stateCount + groupSize + (transitionsInShared ? squares : 0);
        return (int)((countsInShared ? squares : 0) + (floats + 1) / 2);
    }

    // One thread per time step: logB[step, state] = logNorm_state − ½ Σ_dim ((x_dim − μ_dim)·u_dim)²
    // for every state. Reads data[step, :], means, precisionDiagonal and logNorm; writes logB[step, :].
    // Spherical covariances use this kernel with the factor repeated along the diagonal.
    /// <summary>Diagonal (and spherical) Gaussian emission log-densities.</summary>
    /// <param name="step">The time step (row) this thread handles.</param>
    /// <param name="data">Row-major n × d observations.</param>
    /// <param name="means">Row-major K × d.</param>
    /// <param name="precisionDiagonal">K × d, square roots of the precisions.</param>
    /// <param name="logNorm">K terms Σ log u − ½ d log 2π (no mixture or start weight).</param>
    /// <param name="logB">Output, row-major n × K.</param>
    /// <param name="p">Shapes.</param>
    public static void EmissionDiagonalKernel(
        Index1D step,
        ArrayView<float> data,
        ArrayView<float> means,
        ArrayView<float> precisionDiagonal,
        ArrayView<float> logNorm,
        ArrayView<float> logB,
        HmmEmissionParams p)
    {
        // Bounds: step < n: ILGPU's implicitly grouped launch returns the threads past the extent.
        int d = p.Dimension;
        long row = (long)step.X * d;
        long outRow = (long)step.X * p.StateCount;
        for (int state = 0; state < p.StateCount; state++)
        {
            int offset = state * d;
            float squared = 0f;
            for (int dim = 0; dim < d; dim++)
            {
                float y = (data[row + dim] - means[offset + dim]) * precisionDiagonal[offset + dim];
                squared += y * y;
            }
            logB[outRow + state] = logNorm[state] - 0.5f * squared;
        }
    }

    // One thread per time step: logB[step, state] = logNorm_state − ½‖(x − μ_state)·U_state‖² with U
    // upper-triangular row-major d × d (precision = U Uᵀ), column by column: y_col = Σ_{dim ≤ col}
    // (x_dim − μ_dim)·U[dim, col]. Reads data[step, :], means, precisionCholesky and logNorm; writes
    // logB[step, :]. Tied covariances use this kernel with the factor repeated per state.
    /// <summary>Full (and tied) Gaussian emission log-densities.</summary>
    /// <param name="step">The time step (row) this thread handles.</param>
    /// <param name="data">Row-major n × d observations.</param>
    /// <param name="means">Row-major K × d.</param>
    /// <param name="precisionCholesky">K × d × d, row-major upper-triangular factors.</param>
    /// <param name="logNorm">K terms Σ log diag U − ½ d log 2π (no mixture or start weight).</param>
    /// <param name="logB">Output, row-major n × K.</param>
    /// <param name="p">Shapes.</param>
    public static void EmissionFullKernel(
        Index1D step,
        ArrayView<float> data,
        ArrayView<float> means,
        ArrayView<float> precisionCholesky,
        ArrayView<float> logNorm,
        ArrayView<float> logB,
        HmmEmissionParams p)
    {
        // Bounds: step < n (implicitly grouped launch).
        int d = p.Dimension;
        long row = (long)step.X * d;
        long outRow = (long)step.X * p.StateCount;
        for (int state = 0; state < p.StateCount; state++)
        {
            long factor = (long)state * d * d;
            int mean = state * d;
            float squared = 0f;
            for (int col = 0; col < d; col++)
            {
                float y = 0f;
                for (int dim = 0; dim <= col; dim++)
                    y += (data[row + dim] - means[mean + dim]) * precisionCholesky[factor + (long)dim * d + col];
                squared += y * y;
            }
            logB[outRow + state] = logNorm[state] - 0.5f * squared;
        }
    }

    // One thread per time step: logB[step, state] = logEmission[state·M + symbol] with symbol the
    // integer held by symbols[step]; a symbol outside 0 … M − 1 gives −∞ for every state (the
    // forward pass then flags its sequence). Reads symbols[step] and logEmission; writes logB[step, :].
    /// <summary>Categorical emission log-probabilities.</summary>
    /// <param name="step">The time step (row) this thread handles.</param>
    /// <param name="symbols">n symbols, each a float holding an integer 0 … M − 1.</param>
    /// <param name="logEmission">Row-major K × M log-probabilities.</param>
    /// <param name="logB">Output, row-major n × K.</param>
    /// <param name="p">Shapes (SymbolCount = M).</param>
    public static void EmissionCategoricalKernel(
        Index1D step,
        ArrayView<float> symbols,
        ArrayView<float> logEmission,
        ArrayView<float> logB,
        HmmEmissionParams p)
    {
        // Bounds: step < n (implicitly grouped launch); the symbol is range-checked before use.
        float value = symbols[step];
        int symbol = (int)value;
        bool valid = value >= 0f && symbol < p.SymbolCount;
        long outRow = (long)step.X * p.StateCount;
        for (int state = 0; state < p.StateCount; state++)
        {
            if (valid)
                logB[outRow + state] = logEmission[state * p.SymbolCount + symbol];
            else
                logB[outRow + state] = float.NegativeInfinity;
        }
    }

    // One thread per time step: logB[step, state] = rowConstant[step] + Σ_dim (x_dim·logRate_dim −
    // rate_dim), rowConstant = −Σ_dim lgamma(x_dim + 1) computed by the host. Reads data[step, :],
    // rowConstant[step], logRate and rate; writes logB[step, :].
    /// <summary>Independent Poisson emission log-probabilities.</summary>
    /// <param name="step">The time step (row) this thread handles.</param>
    /// <param name="data">Row-major n × d counts.</param>
    /// <param name="logRate">Row-major K × d log-rates (finite: the host floors the rates).</param>
    /// <param name="rate">Row-major K × d rates.</param>
    /// <param name="rowConstant">n terms −Σ_dim lgamma(x_dim + 1).</param>
    /// <param name="logB">Output, row-major n × K.</param>
    /// <param name="p">Shapes.</param>
    public static void EmissionPoissonKernel(
        Index1D step,
        ArrayView<float> data,
        ArrayView<float> logRate,
        ArrayView<float> rate,
        ArrayView<float> rowConstant,
        ArrayView<float> logB,
        HmmEmissionParams p)
    {
        // Bounds: step < n (implicitly grouped launch).
        int d = p.Dimension;
        long row = (long)step.X * d;
        long outRow = (long)step.X * p.StateCount;
        float constant = rowConstant[step];
        for (int state = 0; state < p.StateCount; state++)
        {
            int offset = state * d;
            float sum = constant;
            for (int dim = 0; dim < d; dim++)
                sum += data[row + dim] * logRate[offset + dim] - rate[offset + dim];
            logB[outRow + state] = sum;
        }
    }

    // Group g of a grid of G (B threads, B a power of two) runs the sequences g, g + G, g + 2G, … in
    // that order; thread j owns the states j, j + B, …. Forward per step t: m_t = max over the
    // allowed states (all, or the label's) of logB[t, :], b_t = exp(logB[t, :] − m_t) (0 where not
    // allowed), α̂_t = b_t ∘ (α̂_{t−1} A) (t = 0: π ∘ b_0), c_t = Σ α̂_t, α̂_t /= c_t, written to
    // posteriors[t, :], (m_t, c_t) to stepScales[2t …]; log-likelihood Σ (m_t + log c_t) in float64.
    // Backward from T − 1: β̂_{T−1} = 1, β̂_t(i) = Σ_j A_ij w_{t+1}(j) with w_t = b_t ∘ β̂_t / c_t;
    // Σ_t α̂_t(i) A_ij w_{t+1}(j) summed per group in float64, posteriors[t, :] = γ_t = α̂_t ∘ β̂_t
    // normalized (in place over α̂), γ_0 added to the start counts. A sequence with c_t = 0 (or not
    // finite) somewhere gets sequenceLogLikelihood = −∞, zero posteriors and adds nothing. Shared:
    // two K-vectors (α̂ or w, double-buffered by the parity of t), B floats for the reductions,
    // optionally A and the float64 counts. Reads logB, sequenceStarts, logStart, transition, labels;
    // writes posteriors, stepScales, sequenceLogLikelihood[s] and partials[g · stride …].
    /// <summary>Scaled forward-backward over many sequences; see the remarks in code.</summary>
    /// <param name="logB">Row-major n × K emission log-densities.</param>
    /// <param name="sequenceStarts">S + 1 row offsets, nondecreasing, the last = n.</param>
    /// <param name="logStart">K log start probabilities log π.</param>
    /// <param name="transition">Row-major K × K transition probabilities A_ij = P(j | i).</param>
    /// <param name="labels">n labels, −1 = unknown (read when UseLabels is 1).</param>
    /// <param name="posteriors">Output, row-major n × K: α̂ during the pass, then γ.</param>
    /// <param name="stepScales">Scratch, 2n floats: (m_t, c_t) per row.</param>
    /// <param name="sequenceLogLikelihood">Output, S log-likelihoods (−∞: zero likelihood).</param>
    /// <param name="partials">Output, G × <see cref="PartialStride"/> doubles (see the class remarks).</param>
    /// <param name="boundaryFlags">Per unit, <see cref="HasIncoming"/> | <see cref="HasOutgoing"/> (read when UseBoundaries is 1).</param>
    /// <param name="boundaryMessages">Per unit 2K floats: the entering α̂ (sums to 1), then the leaving β̂ (any positive scale;
    /// rescaled in place).</param>
    /// <param name="p">Shapes and the shared-memory layout.</param>
    public static void ForwardBackwardKernel(
        ArrayView<float> logB,
        ArrayView<int> sequenceStarts,
        ArrayView<float> logStart,
        ArrayView<float> transition,
        ArrayView<int> labels,
        ArrayView<float> posteriors,
        ArrayView<float> stepScales,
        ArrayView<double> sequenceLogLikelihood,
        ArrayView<double> partials,
        ArrayView<int> boundaryFlags,
        ArrayView<float> boundaryMessages,
        ForwardBackwardParams p)
    {
        int states = p.StateCount;
        int squares = states * states;
        int pitch = SharedPitch(states);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int slot = Grid.IdxX * PartialStride(states); // < 2³¹: G ≤ 1,024 groups of K² + K + 1 doubles
        int countsLength = p.CountsInShared != 0 ? states * pitch : 0;
        ArrayView<double> shared = SharedMemory.GetDynamic<double>();
        ArrayView<float> floats = shared.SubView(countsLength).Cast<float>();
        // floats: [0, K) and [K, 2K) the vectors, [2K, 2K + B) the reduction, then A (row pitch
        // `pitch`, as the shared counts).
        int scratch = 2 * states;
        int staged = scratch + groupSize;

        for (int from = 0; from < states; from++)
        {
            for (int to = thread; to < states; to += groupSize)
            {
                if (p.CountsInShared != 0)
                    shared[from * pitch + to] = 0;
                if (p.TransitionsInShared != 0)
                    floats[staged + from * pitch + to] = transition[from * states + to];
            }
        }
        for (int e = thread; e < PartialStride(states); e += groupSize)
            partials[slot + e] = 0;
        Group.Barrier(); // all threads: counts zeroed and A staged before any step

        // Barriers: the sequence loop, the step loops and `failed` depend only on the group, p and
        // values every thread reads from the same shared slot (m, c, the reduction results), so every
        // thread of the group runs the same iterations and reaches every barrier; the per-state
        // loops hold none.
        for (int sequence = Grid.IdxX; sequence < p.SequenceCount; sequence += Grid.DimX)
        {
            int first = sequenceStarts[sequence];
            int length = sequenceStarts[sequence + 1] - first;
            // The unit's flags are re-read where they are used (Flags), not kept in registers across
            // the passes: live values there made ptxas spill at .maxntid 64 … 256 on sm_90.
            double logLikelihood = 0;
            bool failed = false;
            if ((Flags(boundaryFlags, sequence, p) & HasIncoming) != 0)
            {
                // The entering α̂ where step 0 reads α̂_{t−1} (the second vector).
                int messages = Messages(boundaryFlags, sequence, p);
                for (int state = thread; state < states; state += groupSize)
                    floats[states + state] = boundaryMessages[messages + state];
                Group.Barrier(); // all threads (the flags are the unit's): α̂ in is staged before step 0
            }
            for (int t = 0; t < length && !failed; t++)
            {
                int step = first + t;
                long row = (long)step * states;
                int label = p.UseLabels != 0 ? labels[step] : -1;
                float localMax = float.NegativeInfinity;
                for (int state = thread; state < states; state += groupSize)
                {
                    if (label < 0 || label == state)
                        localMax = XMath.Max(localMax, logB[row + state]);
                }
                float max = ReduceMax(floats, scratch, localMax, thread, groupSize);
                int current = (t & 1) * states;
                int previous = states - current;
                float localSum = 0f;
                if (max > float.NegativeInfinity)
                {
                    for (int state = thread; state < states; state += groupSize)
                    {
                        float b = label < 0 || label == state ? XMath.Exp(logB[row + state] - max) : 0f;
                        float prior = 0f;
                        if (t == 0 && (Flags(boundaryFlags, sequence, p) & HasIncoming) == 0)
                        {
                            prior = XMath.Exp(logStart[state]);
                        }
                        else if (p.TransitionsInShared != 0)
                        {
                            for (int from = 0; from < states; from++)
                                prior += floats[previous + from] * floats[staged + from * pitch + state];
                        }
                        else
                        {
                            for (int from = 0; from < states; from++)
                                prior += floats[previous + from] * transition[from * states + state];
                        }
                        float value = b * prior;
                        floats[current + state] = value;
                        localSum += value;
                    }
                }
                float scale = ReduceSum(floats, scratch, localSum, thread, groupSize);
                if (scale > 0f && scale < float.PositiveInfinity)
                {
                    float inverse = 1f / scale;
                    for (int state = thread; state < states; state += groupSize)
                    {
                        float value = floats[current + state] * inverse;
                        floats[current + state] = value;
                        posteriors[row + state] = value;
                    }
                    if (thread == 0)
                    {
                        stepScales[2L * step] = max;
                        stepScales[2L * step + 1] = scale;
                    }
                    logLikelihood += (double)max + XMath.Log(scale);
                }
                else
                {
                    failed = true;
                }
                Group.Barrier(); // all threads: α̂_t is normalized before step t + 1 reads it
            }

            // A leaving β̂ of any scale: divided by Σ α̂_{T−1} β̂ (in place, each thread its own states)
            // so that every γ_t and ξ_t sums to 1.
            if (!failed && (Flags(boundaryFlags, sequence, p) & HasOutgoing) != 0)
            {
                int last = ((length - 1) & 1) * states;
                int messages = Messages(boundaryFlags, sequence, p) + states;
                float localDot = 0f;
                for (int state = thread; state < states; state += groupSize)
                    localDot += floats[last + state] * boundaryMessages[messages + state];
                float leaving = ReduceSum(floats, scratch, localDot, thread, groupSize);
                failed = !(leaving > 0f && leaving < float.PositiveInfinity);
                if (!failed)
                {
                    float inverse = 1f / leaving;
                    for (int state = thread; state < states; state += groupSize)
                        boundaryMessages[messages + state] *= inverse;
                }
            }

            if (failed)
            {
                for (long e = (long)first * states + thread; e < (long)(first + length) * states; e += groupSize)
                    posteriors[e] = 0f;
                if (thread == 0)
                    sequenceLogLikelihood[sequence] = double.NegativeInfinity;
                continue;
            }

            for (int t = length - 1; t >= 0; t--)
            {
                int step = first + t;
                long row = (long)step * states;
                int label = p.UseLabels != 0 ? labels[step] : -1;
                float max = stepScales[2L * step];
                float inverseScale = 1f / stepScales[2L * step + 1];
                int current = (t & 1) * states; // receives w_t
                int next = states - current;    // holds w_{t+1}
                float localSum = 0f;
                for (int state = thread; state < states; state += groupSize)
                {
                    float alpha = posteriors[row + state];
                    float beta = 0f;
                    int from = state * states;
                    int sharedFrom = state * pitch;
                    if (t == length - 1)
                    {
                        beta = (Flags(boundaryFlags, sequence, p) & HasOutgoing) != 0
                            ? boundaryMessages[Messages(boundaryFlags, sequence, p) + states + state]
                            : 1f;
                    }
                    else if (p.CountsInShared != 0)
                    {
                        // CountsInShared implies TransitionsInShared (the launcher's plan).
                        for (int to = 0; to < states; to++)
                        {
                            float weighted = floats[staged + sharedFrom + to] * floats[next + to];
                            beta += weighted;
                            shared[sharedFrom + to] += (double)alpha * weighted;
                        }
                    }
                    else if (p.TransitionsInShared != 0)
                    {
                        for (int to = 0; to < states; to++)
                        {
                            float weighted = floats[staged + sharedFrom + to] * floats[next + to];
                            beta += weighted;
                            partials[slot + from + to] += (double)alpha * weighted;
                        }
                    }
                    else
                    {
                        for (int to = 0; to < states; to++)
                        {
                            float weighted = transition[from + to] * floats[next + to];
                            beta += weighted;
                            partials[slot + from + to] += (double)alpha * weighted;
                        }
                    }
                    float gamma = alpha * beta;
                    posteriors[row + state] = gamma;
                    localSum += gamma;
                    float b = label < 0 || label == state ? XMath.Exp(logB[row + state] - max) : 0f;
                    floats[current + state] = b * beta * inverseScale;
                }
                // The reduction's barriers also order this step's reads of w_{t+1} and writes of
                // w_t before step t − 1 reads w_t and overwrites w_{t+1}.
                float total = ReduceSum(floats, scratch, localSum, thread, groupSize);
                float inverse = total > 0f ? 1f / total : 0f;
                for (int state = thread; state < states; state += groupSize)
                {
                    float gamma = posteriors[row + state] * inverse;
                    posteriors[row + state] = gamma;
                    if (t == 0 && (Flags(boundaryFlags, sequence, p) & HasIncoming) == 0)
                        partials[slot + squares + state] += gamma;
                }
            }
            if ((Flags(boundaryFlags, sequence, p) & HasIncoming) != 0)
            {
                // ξ across the boundary: α̂ in (i) · A_ij · w_0(j); w_0 is in floats[0, K) (written by
                // step 0, ordered by its reduction's barriers; the next unit writes it after a barrier).
                int messages = Messages(boundaryFlags, sequence, p);
                for (int from = thread; from < states; from += groupSize)
                {
                    double alphaIn = boundaryMessages[messages + from];
                    for (int to = 0; to < states; to++)
                    {
                        float a = p.TransitionsInShared != 0 ? floats[staged + from * pitch + to] : transition[from * states + to];
                        double weighted = alphaIn * (a * floats[to]);
                        if (p.CountsInShared != 0)
                            shared[from * pitch + to] += weighted;
                        else
                            partials[slot + from * states + to] += weighted;
                    }
                }
            }
            if (thread == 0)
                sequenceLogLikelihood[sequence] = logLikelihood;
        }

        Group.Barrier(); // all threads: every count is summed before they are copied out
        if (p.CountsInShared != 0)
        {
            for (int from = 0; from < states; from++)
                for (int to = thread; to < states; to += groupSize)
                    partials[slot + from * states + to] = shared[from * pitch + to];
        }
        // The group's log-likelihood: thread 0 sums what it wrote, in sequence order, skipping the
        // failed (−∞) ones. Summing it after the loop, not in a float64 (or its address) kept live
        // across the loop, keeps ptxas from spilling at .maxntid 64 … 256 on sm_80.
        if (thread == 0)
        {
            double groupLogLikelihood = 0;
            for (int sequence = Grid.IdxX; sequence < p.SequenceCount; sequence += Grid.DimX)
            {
                double value = sequenceLogLikelihood[sequence];
                if (value > double.NegativeInfinity)
                    groupLogLikelihood += value;
            }
            partials[slot + squares + states] = groupLogLikelihood;
        }
    }

    // Group g runs the units g, g + G, … flagged NeedsTransfer; thread e of B owns the entries e, e + B, … of
    // Φ (K × K float64, shared). Φ starts as I, or for the first segment of a sequence (no HasIncoming) as
    // diag(π ∘ b_0) with step 0 consumed; each step t: m_t = max of the allowed logB[t, :], b_t = exp(logB − m_t)
    // (0 where a label forbids), Φ ← Φ A diag(b_t), computed ⌊B / K⌋ whole rows at a time (row i of the new Φ
    // needs only row i of the old), then Φ /= Σ Φ (float64 reduction). So α̂ after the segment ∝ α̂ before · Φ
    // (1ᵀ Φ for a first segment) and β̂ before ∝ Φ β̂ after. A segment of zero likelihood leaves Φ = 0.
    // MaxProduct (Viterbi; `transition` holds log A): the same in the (max, +) semiring over log b_t = logB − m_t,
    // Φ starting as the max-plus identity (0 on the diagonal, −∞ elsewhere) or diag(log π + log b_0), each step
    // Φ_ij ← max_l (Φ_il + log A_lj) + log b_t(j), then Φ −= max Φ; so δ after the segment = δ before ⊗ Φ up to a
    // constant. A segment without any path leaves Φ = −∞.
    // Reads logB, sequenceStarts, logStart, transition, labels, boundaryFlags; writes transfers[u · K² …].
    /// <summary>Transfer matrices of the segments of long sequences; see the remarks in code.</summary>
    /// <param name="logB">Row-major n × K emission log-densities.</param>
    /// <param name="sequenceStarts">U + 1 row offsets of the units.</param>
    /// <param name="logStart">K log start probabilities.</param>
    /// <param name="transition">Row-major K × K transition probabilities (MaxProduct: their logs).</param>
    /// <param name="labels">n labels, −1 = unknown (read when UseLabels is 1).</param>
    /// <param name="boundaryFlags">Per unit; only units with <see cref="NeedsTransfer"/> are computed.</param>
    /// <param name="transfers">Output, U × K² doubles, row-major Φ per unit (sums to 1, or all 0; MaxProduct:
    /// log-space with max 0, or all −∞).</param>
    /// <param name="p">Shapes.</param>
    public static void SegmentTransferKernel(
        ArrayView<float> logB,
        ArrayView<int> sequenceStarts,
        ArrayView<float> logStart,
        ArrayView<float> transition,
        ArrayView<int> labels,
        ArrayView<int> boundaryFlags,
        ArrayView<double> transfers,
        SegmentTransferParams p)
    {
        int states = p.StateCount;
        int squares = states * states;
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int rowsPerBlock = groupSize / states;
        int blockEntries = rowsPerBlock * states;
        ArrayView<double> shared = SharedMemory.GetDynamic<double>();
        // doubles: Φ [0, K²), the new rows [K², K² + blockEntries), the reduction, then the floats.
        int newRows = squares;
        int reduction = squares + blockEntries;
        ArrayView<float> floats = shared.SubView(reduction + groupSize).Cast<float>();
        int scratch = states; // floats: b [0, K), the max reduction [K, K + B)

        // Barriers: the unit loop, the step loop and `failed` depend only on the group, p and values every
        // thread reads from the same slot (flags, m, the sums), so every thread reaches every barrier.
        for (int unit = Grid.IdxX; unit < p.SequenceCount; unit += Grid.DimX)
        {
            int flags = boundaryFlags[unit];
            if ((flags & NeedsTransfer) == 0)
                continue;
            int first = sequenceStarts[unit];
            int length = sequenceStarts[unit + 1] - first;
            bool sequenceStart = (flags & HasIncoming) == 0;
            bool failed = false;
            for (int t = 0; t < length && !failed; t++)
            {
                int step = first + t;
                long row = (long)step * states;
                int label = p.UseLabels != 0 ? labels[step] : -1;
                float localMax = float.NegativeInfinity;
                for (int state = thread; state < states; state += groupSize)
                {
                    if (label < 0 || label == state)
                        localMax = XMath.Max(localMax, logB[row + state]);
                }
                float max = ReduceMax(floats, scratch, localMax, thread, groupSize);
                if (!(max > float.NegativeInfinity))
                {
                    failed = true;
                    break;
                }
                for (int state = thread; state < states; state += groupSize)
                {
                    bool allowed = label < 0 || label == state;
                    floats[state] = p.MaxProduct != 0
                        ? (allowed ? logB[row + state] - max : float.NegativeInfinity)
                        : (allowed ? XMath.Exp(logB[row + state] - max) : 0f);
                }
                if (t == 0)
                {
                    for (int e = thread; e < squares; e += groupSize)
                    {
                        int i = e / states;
                        int j = e - i * states;
                        // b_0(i) from logB (floats[i] may not be stored yet: no barrier since).
                        bool allowed = label < 0 || label == i;
                        if (p.MaxProduct != 0)
                        {
                            float logb = allowed ? logB[row + i] - max : float.NegativeInfinity;
                            shared[e] = i != j ? double.NegativeInfinity : sequenceStart ? (double)logStart[i] + logb : 0.0;
                        }
                        else
                        {
                            float b = allowed ? XMath.Exp(logB[row + i] - max) : 0f;
                            shared[e] = i != j ? 0.0 : sequenceStart ? XMath.Exp(logStart[i]) * (double)b : 1.0;
                        }
                    }
                }
                Group.Barrier(); // all threads: b_t (and Φ at t = 0) are stored before the product reads them
                if (t > 0 || !sequenceStart)
                {
                    for (int block = 0; block < states; block += rowsPerBlock)
                    {
                        int i = block + thread / states;
                        int j = thread - thread / states * states;
                        bool active = thread < blockEntries && i < states;
                        if (active)
                        {
                            if (p.MaxProduct != 0)
                            {
                                double value = double.NegativeInfinity;
                                for (int l = 0; l < states; l++)
                                    value = XMath.Max(value, shared[i * states + l] + transition[l * states + j]);
                                shared[newRows + thread] = value + floats[j];
                            }
                            else
                            {
                                double value = 0;
                                for (int l = 0; l < states; l++)
                                    value += shared[i * states + l] * transition[l * states + j];
                                shared[newRows + thread] = value * floats[j];
                            }
                        }
                        Group.Barrier(); // all threads: the block's rows are read before they are replaced
                        if (active)
                            shared[i * states + j] = shared[newRows + thread];
                        Group.Barrier(); // all threads: the block is replaced before the next block (or the sum) reads
                    }
                }
                if (p.MaxProduct != 0)
                {
                    // Any constant keeps the arg max; the float max of the entries serves.
                    float localTop = float.NegativeInfinity;
                    for (int e = thread; e < squares; e += groupSize)
                        localTop = XMath.Max(localTop, (float)shared[e]);
                    float top = ReduceMax(floats, scratch, localTop, thread, groupSize);
                    if (top > float.NegativeInfinity && top < float.PositiveInfinity)
                    {
                        for (int e = thread; e < squares; e += groupSize)
                            shared[e] -= top;
                    }
                    else
                    {
                        failed = true;
                    }
                }
                else
                {
                    double localSum = 0;
                    for (int e = thread; e < squares; e += groupSize)
                        localSum += shared[e];
                    double sum = ReduceSumDouble(shared, reduction, localSum, thread, groupSize);
                    if (sum > 0 && sum < double.PositiveInfinity)
                    {
                        double inverse = 1.0 / sum;
                        for (int e = thread; e < squares; e += groupSize)
                            shared[e] *= inverse;
                    }
                    else
                    {
                        failed = true;
                    }
                }
                // The next step's reduction barriers order these writes before its product reads Φ.
            }
            long target = (long)(flags >> 3) * squares; // the unit's slot
            for (int e = thread; e < squares; e += groupSize)
                transfers[target + e] = failed ? (p.MaxProduct != 0 ? double.NegativeInfinity : 0.0) : shared[e];
            Group.Barrier(); // all threads: Φ is copied out before the next unit overwrites it
        }
    }

    // Group g of a grid of G (B threads, a power of two) runs the units g, g + G, … in that order; thread j owns
    // the states j, j + B, …. Per step t of a unit: δ_t(j) = max_i (δ_{t−1}(i) + log A_ij) + logB[t, j] with
    // the lowest arg max i into backPointers[t, j] (t = 0: δ_0 = log π + logB[0, :], pointer 0; or, for a unit
    // with HasIncoming, δ_{−1} = the unit's entering message, so that its step-0 pointer names the previous
    // segment's last state), then m_t = max_j δ_t(j), δ_t −= m_t and the unit's score += m_t in float64. So the
    // score of a whole sequence is the log-probability of its best path (the final δ has max 0), and the scores
    // of a long sequence's segments, each entered with δ normalized to max 0, add up to it. A unit whose δ
    // becomes all −∞ (no path) or not finite gets score −∞, final δ −∞ and back pointer 0 at its remaining steps
    // (every pointer is a state, so no backtrack reads out of range). Shared (floats): two K-vectors
    // (double-buffered by the parity of t), B for the reduction, optionally log A (rows of SharedPitch).
    // Reads logB, sequenceStarts, logStart, logTransition, boundaryFlags, boundaryMessages (the entering δ at
    // slot · 2K); writes backPointers (n × K), finalDelta (U × K) and unitScore (U).
    /// <summary>Viterbi forward pass (max-product, log space) over many units; see the remarks in code.</summary>
    /// <param name="logB">Row-major n × K emission log-densities.</param>
    /// <param name="sequenceStarts">U + 1 row offsets of the units.</param>
    /// <param name="logStart">K log start probabilities log π.</param>
    /// <param name="logTransition">Row-major K × K log A (−∞ where a transition is not allowed).</param>
    /// <param name="backPointers">Output, row-major n × K: the best predecessor of state j at step t.</param>
    /// <param name="finalDelta">Output, U × K: δ at the unit's last step (max 0, or all −∞).</param>
    /// <param name="unitScore">Output, U: Σ m_t (−∞: no path).</param>
    /// <param name="boundaryFlags">Per unit flags and message slot (read when UseBoundaries is 1).</param>
    /// <param name="boundaryMessages">Per message slot 2K floats: the entering δ (max 0), then (unused here) the leaving one.</param>
    /// <param name="p">Shapes and the shared-memory layout.</param>
    public static void ViterbiKernel(
        ArrayView<float> logB,
        ArrayView<int> sequenceStarts,
        ArrayView<float> logStart,
        ArrayView<float> logTransition,
        ArrayView<int> backPointers,
        ArrayView<float> finalDelta,
        ArrayView<double> unitScore,
        ArrayView<int> boundaryFlags,
        ArrayView<float> boundaryMessages,
        ViterbiParams p)
    {
        int states = p.StateCount;
        int pitch = SharedPitch(states);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        ArrayView<float> floats = SharedMemory.GetDynamic<double>().Cast<float>();
        int scratch = 2 * states;
        int staged = scratch + groupSize;
        if (p.TransitionsInShared != 0)
        {
            for (int from = 0; from < states; from++)
                for (int to = thread; to < states; to += groupSize)
                    floats[staged + from * pitch + to] = logTransition[from * states + to];
            Group.Barrier(); // all threads: log A is staged before any step
        }

        // Barriers: the unit loop, the step loop and `failed` depend only on the group, p, the unit's flags and
        // the reduction's result, the same for every thread, so every thread reaches every barrier.
        for (int unit = Grid.IdxX; unit < p.SequenceCount; unit += Grid.DimX)
        {
            int first = sequenceStarts[unit];
            int length = sequenceStarts[unit + 1] - first;
            int flags = p.UseBoundaries != 0 ? boundaryFlags[unit] : 0;
            bool incoming = (flags & HasIncoming) != 0;
            if (incoming)
            {
                int messages = (flags >> 3) * 2 * states;
                for (int state = thread; state < states; state += groupSize)
                    floats[states + state] = boundaryMessages[messages + state];
                Group.Barrier(); // all threads: δ in is staged before step 0
            }
            double score = 0;
            bool failed = false;
            int t = 0;
            for (; t < length && !failed; t++)
            {
                long row = (long)(first + t) * states;
                int current = (t & 1) * states;
                int previous = states - current;
                float localMax = float.NegativeInfinity;
                for (int state = thread; state < states; state += groupSize)
                {
                    float best;
                    int arg = 0;
                    if (t == 0 && !incoming)
                    {
                        best = logStart[state];
                    }
                    else
                    {
                        best = float.NegativeInfinity;
                        for (int from = 0; from < states; from++)
                        {
                            float a = p.TransitionsInShared != 0 ? floats[staged + from * pitch + state] : logTransition[from * states + state];
                            float v = floats[previous + from] + a;
                            if (v > best)
                            {
                                best = v;
                                arg = from;
                            }
                        }
                    }
                    float value = best + logB[row + state];
                    floats[current + state] = value;
                    backPointers[row + state] = arg;
                    localMax = XMath.Max(localMax, value);
                }
                float max = ReduceMax(floats, scratch, localMax, thread, groupSize);
                if (max > float.NegativeInfinity && max < float.PositiveInfinity)
                {
                    for (int state = thread; state < states; state += groupSize)
                        floats[current + state] -= max;
                    score += max;
                }
                else
                {
                    failed = true;
                }
                Group.Barrier(); // all threads: δ_t is normalized before step t + 1 reads it
            }
            // A unit without a path stops early; its later back pointers still get a valid state (0), so
            // that a backtrack through them never reads out of range.
            for (long e = (long)(first + t) * states + thread; e < (long)(first + length) * states; e += groupSize)
                backPointers[e] = 0;
            int last = ((length - 1) & 1) * states;
            for (int state = thread; state < states; state += groupSize)
                finalDelta[(long)unit * states + state] = failed ? float.NegativeInfinity : floats[last + state];
            if (thread == 0)
                unitScore[unit] = failed ? double.NegativeInfinity : score;
            Group.Barrier(); // all threads: the final δ is read before the next unit overwrites it
        }
    }

    // One thread per listed unit: from endStates[unit] at the unit's last step, path[t] = state and
    // state = backPointers[t, state] down to step 0; predecessors[unit] = backPointers[first, path[first]] (for a
    // unit with HasIncoming, the previous segment's last state that the path needs; 0 otherwise).
    /// <summary>Viterbi backtracking of the listed units; see the remarks in code.</summary>
    /// <param name="index">Which entry of <paramref name="units"/> this thread handles.</param>
    /// <param name="units">Units to trace.</param>
    /// <param name="sequenceStarts">U + 1 row offsets of the units.</param>
    /// <param name="backPointers">Row-major n × K, from <see cref="ViterbiKernel"/>.</param>
    /// <param name="endStates">U states: each unit's state at its last step.</param>
    /// <param name="path">Output, n states.</param>
    /// <param name="predecessors">Output, U states.</param>
    /// <param name="p">Shapes.</param>
    public static void ViterbiBacktrackKernel(
        Index1D index,
        ArrayView<int> units,
        ArrayView<int> sequenceStarts,
        ArrayView<int> backPointers,
        ArrayView<int> endStates,
        ArrayView<int> path,
        ArrayView<int> predecessors,
        ViterbiBacktrackParams p)
    {
        // Bounds: index < the number of listed units (implicitly grouped launch).
        int unit = units[index];
        int first = sequenceStarts[unit];
        int state = endStates[unit];
        for (int step = sequenceStarts[unit + 1] - 1; step > first; step--)
        {
            path[step] = state;
            state = backPointers[(long)step * p.StateCount + state];
        }
        path[first] = state;
        predecessors[unit] = backPointers[(long)first * p.StateCount + state];
    }

    // A unit's boundary flags (0 when the launch has no boundaries).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Flags(ArrayView<int> boundaryFlags, int unit, ForwardBackwardParams p) =>
        p.UseBoundaries != 0 ? boundaryFlags[unit] : 0;

    // The first of a unit's 2K boundary message floats (its slot is the flags ≫ 3).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Messages(ArrayView<int> boundaryFlags, int unit, ForwardBackwardParams p) =>
        (Flags(boundaryFlags, unit, p) >> 3) * 2 * p.StateCount;

    // As ReduceSum, over doubles[offset … offset + B).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ReduceSumDouble(ArrayView<double> doubles, int offset, double value, int thread, int groupSize)
    {
        doubles[offset + thread] = value;
        Group.Barrier(); // all threads: every value is stored before the tree reads it
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half)
                doubles[offset + thread] += doubles[offset + thread + half];
            Group.Barrier(); // all threads: this level is done before the next reads it
        }
        double result = doubles[offset];
        Group.Barrier(); // all threads: the result is read before the slot is reused
        return result;
    }

    // Tree reduction over the group through floats[offset … offset + B) (B a power of two); every
    // thread gets the result. All threads must call it (it holds barriers).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceSum(ArrayView<float> floats, int offset, float value, int thread, int groupSize)
    {
        floats[offset + thread] = value;
        Group.Barrier(); // all threads: every value is stored before the tree reads it
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half)
                floats[offset + thread] += floats[offset + thread + half];
            Group.Barrier(); // all threads: this level is done before the next reads it
        }
        float result = floats[offset];
        Group.Barrier(); // all threads: the result is read before the slot is reused
        return result;
    }

    // As ReduceSum, with max.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceMax(ArrayView<float> floats, int offset, float value, int thread, int groupSize)
    {
        floats[offset + thread] = value;
        Group.Barrier(); // all threads: every value is stored before the tree reads it
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half)
                floats[offset + thread] = XMath.Max(floats[offset + thread], floats[offset + thread + half]);
            Group.Barrier(); // all threads: this level is done before the next reads it
        }
        float result = floats[offset];
        Group.Barrier(); // all threads: the result is read before the slot is reused
        return result;
    }
}
