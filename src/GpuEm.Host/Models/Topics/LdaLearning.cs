namespace GpuEm.Models.Topics;

/// <summary>How <see cref="Lda"/> updates the topic-word parameters λ (scikit-learn's <c>learning_method</c>).</summary>
public enum LdaLearning
{
    /// <summary>
    /// Batch variational EM: every iteration is one E-step over the whole corpus, then λ is set
    /// from its statistics. The ELBO never decreases. Runs on every backend.
    /// </summary>
    Batch,

    /// <summary>
    /// Online variational Bayes (Hoffman, Blei and Bach 2010; scikit-learn's 'online'): the corpus
    /// is visited in mini-batches of <see cref="LdaOptions.BatchSize"/> documents, in corpus order;
    /// after each, λ ← (1 − ρ_t) λ + ρ_t (η + D / |batch| · the batch's statistics) with
    /// ρ_t = (<see cref="LdaOptions.LearningOffset"/> + t)^−<see cref="LdaOptions.LearningDecay"/>,
    /// t = 1, 2, … counting updates across passes. One iteration is one pass. Runs on the reference
    /// engine (Backend.Auto picks it, with a notice when a device was found).
    /// </summary>
    Online,
}
