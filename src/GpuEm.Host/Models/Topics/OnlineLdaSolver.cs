using GpuEm.Em;

namespace GpuEm.Models.Topics;

/// <summary>
/// LDA by online variational Bayes on the EM driver. One driver step is one pass over the corpus
/// in mini-batches of whole documents (corpus order, <see cref="OnlineLdaEngine.Pass"/>): each
/// batch's E-step at the current λ, then <see cref="LdaMStep.Blend"/>. The M-step of a pass is
/// thus made during it; <see cref="Maximize"/> hands on the parameters the pass ended with
/// (<see cref="LdaStatistics.Next"/>). The objective of a pass is its running estimate of the
/// ELBO per token: each batch's document bound at the λ that batch saw, plus the topic bound at
/// the λ the pass ended with. It is what the driver's tolerance watches; unlike the batch ELBO
/// it may fall slightly between passes.
/// </summary>
internal sealed class OnlineLdaSolver(OnlineLdaEngine engine, double tokens, LdaOptions options)
    : ObjectiveChangeSolver<LdaParameters, LdaStatistics>
{
    public override (LdaStatistics Statistics, double Objective) Expect(LdaParameters parameters)
    {
        int k = parameters.K, documents = engine.DocumentCount;
        var gamma = (double[])parameters.Gamma.Clone();
        var sums = new double[(long)engine.TermCount * k];
        var statistics = new LdaStatistics(k, engine.TermCount, gamma, wordTopic: false);
        LdaParameters current = parameters;
        double bound = 0;
        long row = 0;
        foreach ((Data.SparseCounts Data, int First, int End) batch in engine.Pass())
        {
            (double batchBound, long iterations, double[] logThetaSum) = engine.ExpectBatch(current, batch, row, gamma, sums);
            int size = batch.End - batch.First;
            row += size;
            bound += batchBound;
            statistics.DocumentIterations += iterations;
            for (int c = 0; c < k; c++)
                statistics.LogThetaSum[c] += logThetaSum[c];
            current = LdaMStep.Blend(
                current, sums, size, documents, gamma, logThetaSum, options.LearningOffset, options.LearningDecay, options.LearnAlpha);
        }
        statistics.DocumentBound = bound;
        statistics.Next = current;
        return (statistics, (bound + current.TopicBound) / tokens);
    }

    public override LdaParameters Maximize(LdaStatistics statistics, LdaParameters current) =>
        statistics.Next ?? throw new InvalidOperationException("Online LDA statistics carry the pass's parameters.");

    public override string ObjectiveName => "ELBO per token (online estimate)";
}
