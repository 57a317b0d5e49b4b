namespace GpuEm.Kernels.HiddenMarkov;

/// <summary>Shapes of one emission log-density launch (<see cref="HmmKernels"/>, Emission*Kernel).</summary>
/// <param name="Dimension">Columns d of the data (1 for categorical symbols).</param>
/// <param name="StateCount">Hidden states K.</param>
/// <param name="SymbolCount">Symbols M of a categorical emission (0 for the others).</param>
public readonly record struct HmmEmissionParams(int Dimension, int StateCount, int SymbolCount);

/// <summary>Shapes and shared-memory layout of one <see cref="HmmKernels.ForwardBackwardKernel"/> launch.</summary>
/// <param name="StateCount">Hidden states K.</param>
/// <param name="SequenceCount">Sequences S (rows of sequenceStarts minus one).</param>
/// <param name="UseLabels">1: read the per-step labels (−1 = unknown, else the known state).</param>
/// <param name="CountsInShared">1: each group sums its K × K transition counts in float64 shared
/// memory (first K² doubles of the dynamic shared memory); 0: in its slot of the partials.</param>
/// <param name="TransitionsInShared">1: the K × K transition matrix is staged in shared memory;
/// 0: it is read from global memory.</param>
/// <param name="UseBoundaries">1: read each unit's boundary flags and messages (the segments of a
/// long sequence, <see cref="HmmKernels.ForwardBackwardKernel"/>); 0: every unit is a whole
/// sequence.</param>
public readonly record struct ForwardBackwardParams(
    int StateCount,
    int SequenceCount,
    int UseLabels,
    int CountsInShared,
    int TransitionsInShared,
    int UseBoundaries);

/// <summary>Shapes of one <see cref="HmmKernels.SegmentTransferKernel"/> launch.</summary>
/// <param name="StateCount">Hidden states K.</param>
/// <param name="SequenceCount">Units (segments and whole sequences) of the launch.</param>
/// <param name="UseLabels">1: read the per-step labels.</param>
/// <param name="MaxProduct">1: Φ in the (max, +) semiring over log A (Viterbi); 0: the (+, ×) one over A.</param>
public readonly record struct SegmentTransferParams(int StateCount, int SequenceCount, int UseLabels, int MaxProduct);

/// <summary>Shapes and shared-memory layout of one <see cref="HmmKernels.ViterbiKernel"/> launch.</summary>
/// <param name="StateCount">Hidden states K.</param>
/// <param name="SequenceCount">Units (sequences, segments) of the launch.</param>
/// <param name="TransitionsInShared">1: log A is staged in shared memory; 0: read from global memory.</param>
/// <param name="UseBoundaries">1: read each unit's boundary flags and entering message.</param>
public readonly record struct ViterbiParams(int StateCount, int SequenceCount, int TransitionsInShared, int UseBoundaries);

/// <summary>Shapes of one <see cref="HmmKernels.ViterbiBacktrackKernel"/> launch.</summary>
/// <param name="StateCount">Hidden states K.</param>
public readonly record struct ViterbiBacktrackParams(int StateCount);
