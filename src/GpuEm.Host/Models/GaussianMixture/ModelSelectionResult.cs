namespace GpuEm.Models.GaussianMixture;

/// <summary>The table of a model selection and its winner.</summary>
/// <param name="Candidates">Every candidate, in the order fitted (types outer, k inner).</param>
/// <param name="Best">The candidate with the lowest criterion.</param>
/// <param name="Criterion">The criterion used.</param>
public sealed record ModelSelectionResult(
    IReadOnlyList<ModelSelectionCandidate> Candidates, ModelSelectionCandidate Best, SelectionCriterion Criterion)
{
    /// <summary>The winning model.</summary>
    public GaussianMixtureModel BestModel => Best.Model!;
}
