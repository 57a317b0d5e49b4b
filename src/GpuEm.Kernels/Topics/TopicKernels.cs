using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;

namespace GpuEm.Kernels.Topics;

/// <summary>
/// The E-steps of the topic models over sparse counts (documents × terms in compressed rows):
/// LDA's variational inference of γ per document and PLSA's responsibilities, one group per
/// document slot, then the term-major pass that sums the K × W statistics per (term, topic) over
/// the term's non-zeros in document order (no atomics: the result does not depend on the device).
/// </summary>
/// <remarks>
/// Layouts: documentStarts holds D + 1 offsets into terms, counts and the per-non-zero buffers
/// (document d owns [documentStarts[d], documentStarts[d + 1]), terms increasing); term-major
/// tables are W × K (<c>[w·K + k]</c>), per-document tables D × K (<c>[d·K + k]</c>). Per group g
/// the partials hold <see cref="LdaPartialStride"/> (LDA) or 1 (PLSA) doubles at g · stride, so
/// that one combine in group order gives the totals. Inside a group, thread t of B owns the
/// topics t, t + B, … (the per-topic loops) and the non-zeros t, t + B, … of the current document
/// (the per-non-zero loops); every sum over a document's non-zeros runs in order, and every
/// reduction over the group is a fixed tree, so results are reproducible for a given B and grid.
/// </remarks>
public static class TopicKernels
{
    private const double LnTwo = 0.69314718055994530942;
    private const double HalfLnTwoPi = 0.91893853320467274178;

    /// <summary>Doubles each LDA group writes to the partials: Σ E[log θ_k] (K), the bound, the γ updates.</summary>
    /// <param name="topicCount">K.</param>
    /// <returns>K + 2.</returns>
    public static int LdaPartialStride(int topicCount) => topicCount + 2;

    /// <summary>
    /// Dynamic shared memory of one <see cref="LdaEStepKernel"/> group, in doubles: B doubles for the
    /// float64 reductions, then as floats exp E[log θ] (K) and 2B floats for the float32 reductions.
    /// </summary>
    /// <param name="topicCount">K.</param>
    /// <param name="groupSize">Threads per group B (a power of two).</param>
    /// <returns>The number of doubles.</returns>
    public static int LdaSharedDoubles(int topicCount, int groupSize) => groupSize + (topicCount + 2 * groupSize + 1) / 2;

    /// <summary>
    /// Dynamic shared memory of one <see cref="PlsaEStepKernel"/> group, in doubles: B doubles for the
    /// float64 reduction, then as floats the document's p(k | d) (K) and p(k | d)^β (K).
    /// </summary>
    /// <param name="topicCount">K.</param>
    /// <param name="groupSize">Threads per group B.</param>
    /// <returns>The number of doubles.</returns>
    public static int PlsaSharedDoubles(int topicCount, int groupSize) => groupSize + topicCount;

    // Group g runs the documents g, g + G, …: γ starts at α_k + n_d / K (FreshStart; the tokens n_d
    // by a float64 group reduction) or from gamma (a warm start), α for an empty document, and is
    // updated as LdaDocument.Infer does: phase 1, each thread computes ratio_i = c_i / Σ_k expθ_k
    // expElogβ[t_i, k] for its non-zeros into `ratio`; phase 2, each thread updates its topics,
    // γ_k = α_k + expθ_k Σ_i ratio_i expElogβ[t_i, k] (i in order), then the group reduces Σ |Δγ| and
    // Σ γ, and expθ_k = exp(ψ(γ_k) − ψ(Σ γ)) in float32 (shared); the document stops when the mean
    // |Δγ| is below the tolerance or after MaxIterations updates. Then ratio_i at the final γ, and in
    // float64 the document's bound Σ_i c_i log φnorm_i + E_q[log p(θ | α) − log q(θ | γ)] and its
    // E[log θ_k]. Reads documentStarts, terms, counts, expElogBeta, alpha; writes gamma, expTheta
    // (the final expθ) and ratio for its documents, and its slot of the partials (Σ E[log θ_k], the
    // bound, the updates).
    /// <summary>LDA's variational E-step, one group per document slot.</summary>
    /// <param name="documentStarts">D + 1 offsets of the documents' non-zeros.</param>
    /// <param name="terms">The term of each non-zero.</param>
    /// <param name="counts">The count of each non-zero (&gt; 0).</param>
    /// <param name="expElogBeta">Term-major W × K, exp E[log β_kw].</param>
    /// <param name="alpha">K prior weights α_k &gt; 0.</param>
    /// <param name="gamma">D × K: read as the start of each document's γ (a warm start); overwritten
    /// with the final γ.</param>
    /// <param name="expTheta">Output, D × K, exp E[log θ_dk] at the final γ.</param>
    /// <param name="ratio">Output, per non-zero c_i / φnorm_i at the final γ.</param>
    /// <param name="partials">Output, G × <see cref="LdaPartialStride"/> doubles (see the class remarks).</param>
    /// <param name="p">Shapes and settings.</param>
    public static void LdaEStepKernel(
        ArrayView<int> documentStarts,
        ArrayView<int> terms,
        ArrayView<float> counts,
        ArrayView<float> expElogBeta,
        ArrayView<double> alpha,
        ArrayView<float> gamma,
        ArrayView<float> expTheta,
        ArrayView<float> ratio,
        ArrayView<double> partials,
        LdaEStepParams p)
    {
        int topics = p.TopicCount;
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        long slot = (long)Grid.IdxX * LdaPartialStride(topics);
        ArrayView<double> doubles = SharedMemory.GetDynamic<double>();
        // floats: [0, K) expθ of the current document, [K, K + 2B) the float32 reductions.
        ArrayView<float> floats = doubles.SubView(groupSize).Cast<float>();
        int scratch = topics;
        for (int entry = thread; entry < LdaPartialStride(topics); entry += groupSize)
            partials[slot + entry] = 0;

        double bound = 0;
        long updates = 0;
        // Barriers: the document loop, the iteration loop and its exit depend only on the group, p
        // and the reduced values every thread reads from the same shared slot, so every thread runs
        // the same iterations and reaches every barrier; the per-topic and per-non-zero loops hold none.
        for (int document = Grid.IdxX; document < p.DocumentCount; document += Grid.DimX)
        {
            int first = documentStarts[document];
            int length = documentStarts[document + 1] - first;
            long row = (long)document * topics;
            double share = 0;
            if (p.FreshStart != 0)
            {
                double localTokens = 0;
                for (int i = thread; i < length; i += groupSize)
                    localTokens += counts[first + i];
                share = ReduceSumDouble(doubles, 0, localTokens, thread, groupSize) / topics;
            }
            float localSum = 0f;
            for (int topic = thread; topic < topics; topic += groupSize)
            {
                float start = length == 0 ? (float)alpha[topic]
                    : p.FreshStart != 0 ? (float)(alpha[topic] + share) : gamma[row + topic];
                gamma[row + topic] = start;
                localSum += start;
            }
            float total = ReduceSum(floats, scratch, localSum, thread, groupSize);
            ExpectTheta(gamma, row, floats, total, thread, groupSize, topics);
            Group.Barrier(); // all threads: expθ is in shared memory before phase 1 reads it

            int iterations = 0;
            while (length > 0 && iterations < p.MaxIterations)
            {
                for (int i = thread; i < length; i += groupSize)
                {
                    int at = first + i;
                    ratio[at] = counts[at] / Norm(floats, expElogBeta, (long)terms[at] * topics, topics);
                }
                Group.Barrier(); // all threads: every ratio is written before phase 2 reads them
                float localChange = 0f;
                localSum = 0f;
                for (int topic = thread; topic < topics; topic += groupSize)
                {
                    float next = 0f;
                    for (int i = 0; i < length; i++)
                        next += ratio[first + i] * expElogBeta[(long)terms[first + i] * topics + topic];
                    float value = (float)alpha[topic] + floats[topic] * next;
                    localChange += XMath.Abs(value - gamma[row + topic]);
                    gamma[row + topic] = value;
                    localSum += value;
                }
                // The reductions' barriers also order phase 2's reads of ratio and expθ before the
                // next writes of either.
                float change = ReduceSum2(floats, scratch, ref localSum, localChange, thread, groupSize);
                ExpectTheta(gamma, row, floats, localSum, thread, groupSize, topics);
                Group.Barrier(); // all threads: the new expθ is in shared memory before phase 1 reads it
                iterations++;
                if ((double)change / topics < p.Tolerance)
                    break;
            }

            for (int i = thread; i < length; i += groupSize)
            {
                int at = first + i;
                float norm = Norm(floats, expElogBeta, (long)terms[at] * topics, topics);
                ratio[at] = counts[at] / norm;
                bound += counts[at] * Log(norm);
            }
            double localGamma = 0;
            for (int topic = thread; topic < topics; topic += groupSize)
                localGamma += gamma[row + topic];
            // Its barriers also order the reads of expθ above before the next document's writes.
            double gammaSum = ReduceSumDouble(doubles, 0, localGamma, thread, groupSize);
            double psiSum = Digamma(gammaSum);
            for (int topic = thread; topic < topics; topic += groupSize)
            {
                double g = gamma[row + topic];
                double elog = Digamma(g) - psiSum;
                bound += (alpha[topic] - g) * elog + GammaLn(g);
                partials[slot + topic] += elog;
                expTheta[row + topic] = floats[topic];
            }
            if (thread == 0)
            {
                bound += p.AlphaNorm - GammaLn(gammaSum);
                updates += iterations;
            }
        }

        double groupBound = ReduceSumDouble(doubles, 0, bound, thread, groupSize);
        if (thread == 0)
        {
            partials[slot + topics] = groupBound;
            partials[slot + topics + 1] = updates;
        }
    }

    // Group g runs the documents g, g + G, …: its threads stage p(k | d) and f_dk = p(k | d)^β in
    // shared memory (f also into documentFactors when tempered); phase 1, each thread computes for
    // its non-zeros p_i = Σ_k p(k | d) p(t_i | k) (float64 sum), adds c_i log p_i to its float64
    // log-likelihood and writes scale_i = c_i / Σ_k f_dk termFactors[t_i, k] (= c_i / p_i untempered);
    // phase 2, each thread writes n_dk = f_dk Σ_i scale_i termFactors[t_i, k] (i in order, float64)
    // for its topics. The group's log-likelihood is reduced at the end into partials[g]. Reads
    // documentStarts, terms, counts, wordTopic, termFactors, documentTopic; writes scale,
    // documentCounts, documentFactors (tempered) and partials[g].
    /// <summary>PLSA's E-step, one group per document slot.</summary>
    /// <param name="documentStarts">D + 1 offsets of the documents' non-zeros.</param>
    /// <param name="terms">The term of each non-zero.</param>
    /// <param name="counts">The count of each non-zero.</param>
    /// <param name="wordTopic">Term-major W × K, p(w | k).</param>
    /// <param name="termFactors">Term-major W × K, p(w | k)^β (wordTopic itself when β = 1).</param>
    /// <param name="documentTopic">D × K, p(k | d).</param>
    /// <param name="documentFactors">Output when tempered, D × K, p(k | d)^β.</param>
    /// <param name="scale">Output, per non-zero c_i / Σ_k (p(k | d) p(t_i | k))^β.</param>
    /// <param name="documentCounts">Output, D × K, n_dk = Σ_i c_i p(k | d, t_i).</param>
    /// <param name="partials">Output, G log-likelihoods Σ c_i log p_i.</param>
    /// <param name="p">Shapes and settings.</param>
    public static void PlsaEStepKernel(
        ArrayView<int> documentStarts,
        ArrayView<int> terms,
        ArrayView<float> counts,
        ArrayView<float> wordTopic,
        ArrayView<float> termFactors,
        ArrayView<float> documentTopic,
        ArrayView<float> documentFactors,
        ArrayView<float> scale,
        ArrayView<double> documentCounts,
        ArrayView<double> partials,
        PlsaEStepParams p)
    {
        int topics = p.TopicCount;
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        ArrayView<double> doubles = SharedMemory.GetDynamic<double>();
        // floats: [0, K) p(k | d), [K, 2K) p(k | d)^β.
        ArrayView<float> floats = doubles.SubView(groupSize).Cast<float>();
        double logLikelihood = 0;
        // Barriers: the document loop depends only on the group and p: every thread reaches them.
        for (int document = Grid.IdxX; document < p.DocumentCount; document += Grid.DimX)
        {
            int first = documentStarts[document];
            int length = documentStarts[document + 1] - first;
            long row = (long)document * topics;
            for (int topic = thread; topic < topics; topic += groupSize)
            {
                float theta = documentTopic[row + topic];
                floats[topic] = theta;
                if (p.Tempered != 0)
                {
                    float factor = theta > 0f ? XMath.Exp(p.Tempering * XMath.Log(theta)) : 0f;
                    floats[topics + topic] = factor;
                    documentFactors[row + topic] = factor;
                }
                else
                {
                    floats[topics + topic] = theta;
                }
            }
            Group.Barrier(); // all threads: the document's row is staged before phase 1 reads it
            for (int i = thread; i < length; i += groupSize)
            {
                int at = first + i;
                long termRow = (long)terms[at] * topics;
                double probability = 0, norm = 0;
                for (int topic = 0; topic < topics; topic++)
                    probability += (double)floats[topic] * wordTopic[termRow + topic];
                if (p.Tempered != 0)
                {
                    for (int topic = 0; topic < topics; topic++)
                        norm += (double)floats[topics + topic] * termFactors[termRow + topic];
                }
                else
                {
                    norm = probability;
                }
                logLikelihood += counts[at] * Log(probability);
                scale[at] = (float)(counts[at] / norm);
            }
            Group.Barrier(); // all threads: every scale is written before phase 2 reads them
            for (int topic = thread; topic < topics; topic += groupSize)
            {
                double sum = 0;
                for (int i = 0; i < length; i++)
                    sum += (double)scale[first + i] * termFactors[(long)terms[first + i] * topics + topic];
                // An empty document's n_dk is 0 whatever its p(k | d) (which may be undefined).
                documentCounts[row + topic] = length == 0 ? 0 : floats[topics + topic] * sum;
            }
            Group.Barrier(); // all threads: the staged row is read before the next document's replaces it
        }
        double groupLogLikelihood = ReduceSumDouble(doubles, 0, logLikelihood, thread, groupSize);
        if (thread == 0)
            partials[Grid.IdxX] = groupLogLikelihood;
    }

    // One thread per (term, topic) pair, index = w·K + k: the float64 sum over the term's entries
    // e (non-zeros of term w, in document order) of weights[position_e] · documentFactors[doc_e, k],
    // times termFactors[w, k] when used, replacing or added to totals[w·K + k]. Reads termStarts,
    // entryDocuments, entryPositions, weights, documentFactors (and termFactors); writes totals[index].
    /// <summary>The term-major pass: Σ over each term's non-zeros, per topic, without atomics.</summary>
    /// <param name="index">w·K + k.</param>
    /// <param name="termStarts">W + 1 offsets of each term's entries.</param>
    /// <param name="entryDocuments">Per entry, its document (a row of documentFactors).</param>
    /// <param name="entryPositions">Per entry, its non-zero (an index of weights).</param>
    /// <param name="weights">Per non-zero weight (LDA: c / φnorm; PLSA: the scale).</param>
    /// <param name="documentFactors">D × K (LDA: exp E[log θ]; PLSA: p(k | d)^β).</param>
    /// <param name="termFactors">W × K (PLSA: p(w | k)^β), read when UseTermFactors is 1.</param>
    /// <param name="totals">W × K float64 sums, replaced or accumulated.</param>
    /// <param name="p">Shapes.</param>
    public static void TermTopicKernel(
        Index1D index,
        ArrayView<int> termStarts,
        ArrayView<int> entryDocuments,
        ArrayView<int> entryPositions,
        ArrayView<float> weights,
        ArrayView<float> documentFactors,
        ArrayView<float> termFactors,
        ArrayView<double> totals,
        TermTopicParams p)
    {
        // Bounds: index < W·K (ILGPU's implicitly grouped launch returns the threads past the extent).
        int topics = p.TopicCount;
        int term = index / topics;
        int topic = index - term * topics;
        double sum = 0;
        int end = termStarts[term + 1];
        for (int entry = termStarts[term]; entry < end; entry++)
            sum += (double)weights[entryPositions[entry]] * documentFactors[(long)entryDocuments[entry] * topics + topic];
        if (p.UseTermFactors != 0)
            sum *= termFactors[index];
        totals[index] = p.Accumulate != 0 ? totals[index] + sum : sum;
    }

    // Σ_k expθ_k expElogβ[row + k] in float32 (φnorm of one non-zero; expθ in floats[0 … K)).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Norm(ArrayView<float> floats, ArrayView<float> expElogBeta, long row, int topics)
    {
        float norm = 0f;
        for (int topic = 0; topic < topics; topic++)
            norm += floats[topic] * expElogBeta[row + topic];
        return norm;
    }

    // expθ_k = exp(ψ(γ_k) − ψ(Σ γ)) in float32 into floats[k] for the thread's topics.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExpectTheta(
        ArrayView<float> gamma, long row, ArrayView<float> floats, float total, int thread, int groupSize, int topics)
    {
        float psiTotal = Digamma(total);
        for (int topic = thread; topic < topics; topic += groupSize)
            floats[topic] = XMath.Exp(Digamma(gamma[row + topic]) - psiTotal);
    }

    /// <summary>
    /// ψ(x) in float32 for x &gt; 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 6, then the
    /// asymptotic series to x⁻⁸ (truncation below 1e-9 there; float32 rounding dominates).
    /// </summary>
    /// <param name="x">The argument (&gt; 0).</param>
    /// <returns>ψ(x).</returns>
    public static float Digamma(float x)
    {
        float result = 0f;
        while (x < 6f)
        {
            result -= 1f / x;
            x += 1f;
        }
        float f = 1f / (x * x);
        float series = f * (-1f / 12f + f * (1f / 120f + f * (-1f / 252f + f * (1f / 240f))));
        return result + XMath.Log(x) - 0.5f / x + series;
    }

    /// <summary>
    /// ψ(x) in float64 for x &gt; 0 (as the host's TopicMath.Digamma): the recurrence up to x ≥ 6,
    /// then the asymptotic series to x⁻¹⁰ (absolute error below 1e-13), with <see cref="Log(double)"/>.
    /// </summary>
    /// <param name="x">The argument (&gt; 0).</param>
    /// <returns>ψ(x).</returns>
    public static double Digamma(double x)
    {
        double result = 0;
        while (x < 6)
        {
            result -= 1 / x;
            x += 1;
        }
        double f = 1 / (x * x);
        double series = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))));
        return result + Log(x) - 0.5 / x + series;
    }

    /// <summary>
    /// ln Γ(x) in float64 for x &gt; 0: ln Γ(x) = ln Γ(x + n) − ln(x (x + 1) … (x + n − 1)) up to
    /// x + n ≥ 8, then Stirling's series to x⁻¹¹ (truncation below 2e-14 there).
    /// </summary>
    /// <param name="x">The argument (&gt; 0).</param>
    /// <returns>ln Γ(x).</returns>
    public static double GammaLn(double x)
    {
        double product = 1;
        while (x < 8)
        {
            product *= x;
            x += 1;
        }
        double inverse = 1 / x;
        double f = inverse * inverse;
        double series = inverse * (1.0 / 12 + f * (-1.0 / 360 + f * (1.0 / 1260 + f * (-1.0 / 1680
            + f * (1.0 / 1188 + f * (-691.0 / 360360))))));
        return (x - 0.5) * Log(x) - x + HalfLnTwoPi + series - Log(product);
    }

    /// <summary>
    /// ln x in float64 without library calls (a GPU has no float64 log instruction): x = m·2^e with
    /// m in [√½, √2), ln x = e ln 2 + 2 atanh((m − 1)/(m + 1)) by its series to s²¹ (relative error
    /// near 1e-16). For positive, finite, normal x; 0 gives −∞.
    /// </summary>
    /// <param name="x">The argument (&gt; 0).</param>
    /// <returns>ln x.</returns>
    public static double Log(double x)
    {
        if (x == 0)
            return double.NegativeInfinity;
        ulong bits = Interop.FloatAsInt(x);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        double m = Interop.IntAsFloat((bits & 0x000F_FFFF_FFFF_FFFFUL) | 0x3FF0_0000_0000_0000UL);
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            exponent++;
        }
        double s = (m - 1) / (m + 1);
        double s2 = s * s;
        double series = 1 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11
            + s2 * (1.0 / 13 + s2 * (1.0 / 15 + s2 * (1.0 / 17 + s2 * (1.0 / 19 + s2 * (1.0 / 21))))))))));
        return exponent * LnTwo + 2 * s * series;
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

    // Two tree reductions at once through floats[offset … offset + 2B): returns Σ second and
    // replaces `first` by Σ first. All threads must call it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceSum2(ArrayView<float> floats, int offset, ref float first, float second, int thread, int groupSize)
    {
        floats[offset + thread] = first;
        floats[offset + groupSize + thread] = second;
        Group.Barrier(); // all threads: every value is stored before the tree reads it
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half)
            {
                floats[offset + thread] += floats[offset + thread + half];
                floats[offset + groupSize + thread] += floats[offset + groupSize + thread + half];
            }
            Group.Barrier(); // all threads: this level is done before the next reads it
        }
        first = floats[offset];
        float result = floats[offset + groupSize];
        Group.Barrier(); // all threads: the results are read before the slots are reused
        return result;
    }

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
}
