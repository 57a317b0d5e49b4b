namespace GpuEm.Models.Topics;

/// <summary>Which topic model a <see cref="TopicModel"/> is.</summary>
public enum TopicMethod
{
    /// <summary>Probabilistic latent semantic analysis (Hofmann 1999), by EM.</summary>
    Plsa,

    /// <summary>Latent Dirichlet allocation (Blei, Ng and Jordan 2003), by variational EM.</summary>
    Lda,
}
