using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Fits hidden Markov models by Baum-Welch (EM over the hidden state paths): many sequences of
/// different lengths in one fit (rows concatenated with their lengths, as hmmlearn's
/// <c>fit(X, lengths)</c>, or a list of arrays), restarts, seeds, warm start, fixed blocks,
/// Dirichlet and conjugate priors, partially known states and missing observations.
/// <c>HiddenMarkov.Fit(rows, lengths, new HiddenMarkovOptions(3))</c> returns an immutable
/// <see cref="HiddenMarkovModel"/>.
/// </summary>
public static class HiddenMarkov
{
    /// <summary>Fits the sequences held as consecutive rows.</summary>
    /// <param name="rows">Every step of every sequence, one row per step (copied).</param>
    /// <param name="lengths">Steps per sequence, summing to the rows; null: one sequence.</param>
    /// <param name="options">The settings.</param>
    /// <param name="stateLabels">Optional known state per row (−1 where unknown): the posterior
    /// at a known step is 1 on that state.</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration (the model is the last completed one).</param>
    /// <returns>The fitted model.</returns>
    public static HiddenMarkovModel Fit(
        float[,] rows, IReadOnlyList<int>? lengths, HiddenMarkovOptions options, IReadOnlyList<int>? stateLabels = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Fit(DataMatrix.From(rows, null, options.Missing, skipEmptyRows: true), lengths, options, stateLabels, cancellationToken);
    }

    /// <summary>Fits a list of sequences, each an array of steps × columns (all with the same columns).</summary>
    /// <param name="sequences">The sequences (copied).</param>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration.</param>
    /// <returns>The fitted model.</returns>
    public static HiddenMarkovModel Fit(
        IReadOnlyList<float[,]> sequences, HiddenMarkovOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        (float[,] rows, int[] lengths) = Concatenate(sequences);
        return Fit(rows, lengths, options, null, cancellationToken);
    }

    /// <summary>Fits the rows of a data source (CSV, .npy, Parquet, …) cut into sequences by <paramref name="lengths"/>.</summary>
    /// <param name="source">The rows.</param>
    /// <param name="lengths">Steps per sequence, summing to the rows; null: one sequence.</param>
    /// <param name="options">The settings.</param>
    /// <param name="stateLabels">Optional known state per row (−1 where unknown).</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration.</param>
    /// <returns>The fitted model.</returns>
    public static HiddenMarkovModel Fit(
        IDataSource source, IReadOnlyList<int>? lengths, HiddenMarkovOptions options, IReadOnlyList<int>? stateLabels = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Fit(DataMatrix.FromSource(source, null, options.Missing, skipEmptyRows: true, progress: options.Progress), lengths, options, stateLabels, cancellationToken);
    }

    internal static HiddenMarkovModel Fit(
        DataMatrix rows, IReadOnlyList<int>? lengths, HiddenMarkovOptions options, IReadOnlyList<int>? stateLabels,
        CancellationToken cancellationToken,
        Func<AcceleratorHandle?, HmmData, IEmEngine<HmmParameters, HmmStatistics>>? createEngine = null)
    {
        options.Validate();
        SequenceData sequences = SequenceData.From(rows, lengths);
        HmmData data = HmmData.Create(sequences, options.Emission, options.Symbols ?? 0, stateLabels, options.States);
        int symbols = Symbols(options, data);
        if (options.States > data.ObservedSteps)
            throw new ArgumentException(
                $"States K = {options.States} exceeds the number of observed steps n = {data.ObservedSteps}; use K ≤ n.", "data");
        HmmSettings settings = HmmSettings.Resolve(options, rows, symbols);
        if (options.InitialModel is { } initial)
            initial.RequireCompatible(settings);
        return EmFit.Run<IEmEngine<HmmParameters, HmmStatistics>, HmmSolver, HmmParameters, HmmStatistics, HiddenMarkovModel>(
            options,
            handle => createEngine is not null ? createEngine(handle, data) : CreateEngine(handle, data, settings, options),
            engine => new HmmSolver(engine, settings),
            (_, start) => HmmInitializer.Create(options, settings, data, start),
            run => new HiddenMarkovModel(
                run.Run.Parameters, Topology.From(settings), run.Summary, run.Run.Statistics.LogLikelihood, data.ObservedSteps,
                sequences.SequenceCount),
            cancellationToken);
    }

    // The accelerator engine when a device was resolved (it refuses what it does not run, and Auto
    // then falls back to the reference engine with a notice); else the reference engine.
    private static IEmEngine<HmmParameters, HmmStatistics> CreateEngine(
        AcceleratorHandle? handle, HmmData data, HmmSettings settings, HiddenMarkovOptions options) =>
        handle is null
            ? new ReferenceHmmEngine(data)
            : new AcceleratorHmmEngine(handle, data, settings, options.DeviceMemoryLimit);

    private static int Symbols(HiddenMarkovOptions options, HmmData data)
    {
        if (options.Emission != HmmEmission.Categorical)
            return 0;
        if (options.Symbols is { } given)
            return given;
        int inferred = data.SymbolCount();
        int most = Math.Max(data.Rows.Rows, 65_536);
        if (inferred > most)
            throw new ArgumentException(
                $"The largest symbol is {inferred - 1:N0}, far beyond the {data.Rows.Rows:N0} rows; recode the symbols as 0 … M − 1 " +
                "or give Symbols.", "data");
        return inferred;
    }

    internal static (float[,] Rows, int[] Lengths) Concatenate(IReadOnlyList<float[,]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("No sequences were given.", nameof(sequences));
        ArgumentNullException.ThrowIfNull(sequences[0], "sequences[0]");
        int d = sequences[0].GetLength(1);
        long total = 0;
        var lengths = new int[sequences.Count];
        for (int s = 0; s < sequences.Count; s++)
        {
            ArgumentNullException.ThrowIfNull(sequences[s], $"sequences[{s}]");
            if (sequences[s].GetLength(1) != d)
                throw new ArgumentException(
                    $"Sequence {s} has {sequences[s].GetLength(1)} columns; sequence 0 has {d}. Every sequence needs the same columns.",
                    nameof(sequences));
            if (sequences[s].GetLength(0) == 0)
                throw new ArgumentException($"Sequence {s} (zero-based) has length 0; each sequence needs at least 1.", nameof(sequences));
            lengths[s] = sequences[s].GetLength(0);
            total += lengths[s];
        }
        if (total > int.MaxValue)
            throw new ArgumentException($"The sequences hold {total:N0} steps; a fit takes at most {int.MaxValue:N0}.", nameof(sequences));
        var rows = new float[total, d];
        int row = 0;
        foreach (float[,] sequence in sequences)
        {
            Buffer.BlockCopy(sequence, 0, rows, row * d * sizeof(float), sequence.Length * sizeof(float));
            row += sequence.GetLength(0);
        }
        return (rows, lengths);
    }
}
