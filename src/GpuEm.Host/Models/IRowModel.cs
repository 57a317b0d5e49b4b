using GpuEm.Data;

namespace GpuEm.Models;

/// <summary>
/// A model of data given as rows of <see cref="Dimension"/> values (points, binary or categorical
/// rows), which can score such rows: read from any <see cref="IDataSource"/>, chunk by chunk.
/// </summary>
public interface IRowModel : IFittedModel
{
    /// <summary>Values per row the model takes (d).</summary>
    int Dimension { get; }

    /// <summary>
    /// Scores rows: the model's measures of fit over the whole source, in one chunked pass
    /// (mixtures: mean log-likelihood, log-likelihood, BIC, AIC; k-means: inertia).
    /// </summary>
    /// <param name="source">n rows of <see cref="Dimension"/> values, as the model's fit takes them.</param>
    /// <returns>The named measures.</returns>
    ModelScore Evaluate(IDataSource source);
}
