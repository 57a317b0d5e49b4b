using System.Buffers;
using System.Runtime.ExceptionServices;
using GpuEm.Engines;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The float64 reference engine of hidden Markov models, on all cores. Sequences are grouped
/// into fixed blocks of whole sequences (consecutive sequences up to <see cref="BlockRows"/> rows;
/// a longer sequence is a block of its own), blocks run in parallel, and their statistics are
/// added in block order; inside a block the emission densities and the emission statistics are
/// taken over fixed sub-chunks of <see cref="BlockRows"/> rows (in parallel for a long sequence),
/// added in sub-chunk order. The blocks depend only on the lengths, so the statistics are
/// bit-identical whatever the thread count.
/// </summary>
internal sealed class ReferenceHmmEngine : ReferenceEngine, IEmEngine<HmmParameters, HmmStatistics>
{
    /// <summary>Rows of a block of short sequences, and of a sub-chunk of a long one.</summary>
    public const int BlockRows = 4096;

    /// <summary>Blocks in flight at once (bounds the memory of the partials).</summary>
    private const int BatchBlocks = 32;

    private readonly HmmData _data;
    private readonly (int FirstSequence, int Sequences, int FirstRow, int Rows)[] _blocks;

    public ReferenceHmmEngine(HmmData data)
    {
        _data = data;
        _blocks = Blocks(data);
    }

    public HmmData Data => _data;

    public HmmStatistics Expect(HmmParameters parameters)
    {
        int k = parameters.States;
        var total = new HmmStatistics(k, parameters.Emissions.CreateStatistics());
        var partials = new HmmStatistics[Math.Min(BatchBlocks, _blocks.Length)];
        for (int i = 0; i < partials.Length; i++)
            partials[i] = new HmmStatistics(k, parameters.Emissions.CreateStatistics());
        for (int first = 0; first < _blocks.Length; first += BatchBlocks)
        {
            int count = Math.Min(BatchBlocks, _blocks.Length - first);
            ForEach(count, slot =>
            {
                HmmStatistics partial = partials[slot];
                partial.Clear();
                Block(parameters, _blocks[first + slot], partial, null, null);
            });
            for (int slot = 0; slot < count; slot++)
                total.Add(partials[slot]);
        }
        total.Emission.Finish();
        return total;
    }

    /// <summary>Per sequence log p(x) (no statistics).</summary>
    public double[] SequenceLogLikelihoods(HmmParameters parameters)
    {
        var result = new double[_data.Sequences.SequenceCount];
        ForEach(_blocks.Length, b => Block(parameters, _blocks[b], null, result, null));
        return result;
    }

    /// <summary>γ_t(k) of every row (n × K), and per sequence log p(x).</summary>
    public (double[] Posteriors, double[] LogLikelihoods) Posteriors(HmmParameters parameters)
    {
        var gamma = new double[(long)_data.Rows.Rows * parameters.States];
        var result = new double[_data.Sequences.SequenceCount];
        ForEach(_blocks.Length, b => Block(parameters, _blocks[b], null, result, gamma));
        return (gamma, result);
    }

    /// <summary>The Viterbi path of every sequence (n states) and each path's log p(x, path).</summary>
    public (int[] Path, double[] LogProbabilities) Decode(HmmParameters parameters)
    {
        int k = parameters.States;
        var path = new int[_data.Rows.Rows];
        var result = new double[_data.Sequences.SequenceCount];
        ForEach(_blocks.Length, b =>
        {
            (int firstSequence, int sequences, int firstRow, int rows) = _blocks[b];
            double[] logB = ArrayPool<double>.Shared.Rent(rows * k);
            try
            {
                Densities(parameters, firstRow, rows, logB);
                for (int s = firstSequence; s < firstSequence + sequences; s++)
                {
                    (int start, int length) = _data.Sequences.Sequence(s);
                    int offset = start - firstRow;
                    result[s] = ForwardBackward.Viterbi(
                        k, length, parameters.LogStart, parameters.LogTransitions,
                        logB.AsSpan(offset * k, length * k), path.AsSpan(start, length));
                    if (double.IsNegativeInfinity(result[s]))
                        throw Impossible(s, 0);
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(logB);
            }
        });
        return (path, result);
    }

    // One block: densities, forward-backward per sequence, and (with a partial) its statistics;
    // per-sequence log-likelihoods into `sequenceLogLikelihoods` and posteriors into `posteriors` when given.
    private void Block(
        HmmParameters parameters, (int FirstSequence, int Sequences, int FirstRow, int Rows) block, HmmStatistics? partial,
        double[]? sequenceLogLikelihoods, double[]? posteriors)
    {
        int k = parameters.States;
        (int firstSequence, int sequences, int firstRow, int rows) = block;
        double[] logB = ArrayPool<double>.Shared.Rent(rows * k);
        double[] gamma = ArrayPool<double>.Shared.Rent(rows * k);
        double[] scales = ArrayPool<double>.Shared.Rent(rows);
        try
        {
            Densities(parameters, firstRow, rows, logB);
            for (int s = firstSequence; s < firstSequence + sequences; s++)
            {
                (int start, int length) = _data.Sequences.Sequence(s);
                int offset = start - firstRow;
                double logLikelihood = ForwardBackward.Run(
                    k, length, parameters.Start, parameters.Transitions, logB.AsSpan(offset * k, length * k),
                    gamma.AsSpan(offset * k, length * k), scales.AsSpan(offset, length),
                    partial is null ? [] : partial.Transitions, partial is null ? [] : partial.Start, out int impossible);
                if (impossible >= 0)
                    throw Impossible(s, impossible);
                if (sequenceLogLikelihoods is not null)
                    sequenceLogLikelihoods[s] = logLikelihood;
                if (partial is not null)
                    partial.LogLikelihood += logLikelihood;
            }
            if (posteriors is not null)
                gamma.AsSpan(0, rows * k).CopyTo(posteriors.AsSpan(firstRow * k, rows * k));
            if (partial is not null)
                EmissionStatistics(parameters, firstRow, rows, gamma, partial);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(logB);
            ArrayPool<double>.Shared.Return(gamma);
            ArrayPool<double>.Shared.Return(scales);
        }
    }

    // log b_t(k) of rows [firstRow, firstRow + rows) into logB: 0 for a missing step, −∞ off a known state.
    private void Densities(HmmParameters parameters, int firstRow, int rows, double[] logB)
    {
        HmmEmissions emissions = parameters.Emissions;
        int k = parameters.States;
        int chunks = (rows + BlockRows - 1) / BlockRows;
        ForEach(chunks, chunk =>
        {
            var scratch = new double[emissions.ScratchLength];
            int end = Math.Min(rows, (chunk + 1) * BlockRows);
            for (int t = chunk * BlockRows; t < end; t++)
            {
                int row = firstRow + t;
                Span<double> target = logB.AsSpan(t * k, k);
                if (_data.Empty is { } empty && empty[row])
                    target.Clear();
                else
                    emissions.LogDensity(_data.Rows.Row(row), target, scratch);
                if (_data.Labels is { } labels && labels[row] >= 0)
                {
                    double known = target[labels[row]];
                    target.Fill(double.NegativeInfinity);
                    target[labels[row]] = known;
                }
            }
        });
    }

    private void EmissionStatistics(HmmParameters parameters, int firstRow, int rows, double[] gamma, HmmStatistics partial)
    {
        HmmEmissions emissions = parameters.Emissions;
        int k = parameters.States;
        int chunks = (rows + BlockRows - 1) / BlockRows;
        var parts = new HmmEmissionStatistics[chunks];
        var observed = new long[chunks];
        ForEach(chunks, chunk =>
        {
            HmmEmissionStatistics part = chunks == 1 ? partial.Emission : emissions.CreateStatistics();
            var scratch = new double[emissions.ScratchLength];
            int end = Math.Min(rows, (chunk + 1) * BlockRows);
            for (int t = chunk * BlockRows; t < end; t++)
            {
                int row = firstRow + t;
                if (_data.Empty is { } empty && empty[row])
                    continue;
                part.AddStep(_data.Rows.Row(row), gamma.AsSpan(t * k, k), scratch);
                observed[chunk]++;
            }
            parts[chunk] = part;
        });
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            if (chunks > 1)
                partial.Emission.Add(parts[chunk]);
            partial.ObservedSteps += observed[chunk];
        }
    }

    private static InvalidOperationException Impossible(int sequence, int step) => new(
        $"Sequence {sequence} (zero-based) has probability 0 at step {step}: no state can produce it there under the model " +
        "(known states, a transition mask, or emission probabilities of 0 forbid every path).");

    // Parallel.For that rethrows the first failure as itself (not wrapped in an AggregateException).
    private static void ForEach(int count, Action<int> body)
    {
        if (count == 1)
        {
            body(0);
            return;
        }
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(ex.Flatten().InnerExceptions[0]).Throw();
        }
    }

    private static (int, int, int, int)[] Blocks(HmmData data)
    {
        var blocks = new List<(int, int, int, int)>();
        int sequences = data.Sequences.SequenceCount;
        int s = 0;
        while (s < sequences)
        {
            (int firstRow, int length) = data.Sequences.Sequence(s);
            int first = s;
            int rows = length;
            s++;
            while (s < sequences && rows + data.Sequences.Sequence(s).Length <= BlockRows)
            {
                rows += data.Sequences.Sequence(s).Length;
                s++;
            }
            blocks.Add((first, s - first, firstRow, rows));
        }
        return blocks.ToArray();
    }
}
