using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.Topics;

/// <summary>LDA on the EM driver: objective the ELBO per token; converged when its change is below the tolerance.</summary>
internal sealed class LdaSolver(IEmEngine<LdaParameters, LdaStatistics> engine, double tokens, bool learnAlpha, int documents)
    : ObjectiveChangeSolver<LdaParameters, LdaStatistics>
{
    public override (LdaStatistics Statistics, double Objective) Expect(LdaParameters parameters)
    {
        LdaStatistics statistics = engine.Expect(parameters);
        return (statistics, (statistics.DocumentBound + parameters.TopicBound) / tokens);
    }

    public override LdaParameters Maximize(LdaStatistics statistics, LdaParameters current) =>
        LdaMStep.Maximize(statistics, current, learnAlpha, documents);

    public override string ObjectiveName => "ELBO per token";
}

/// <summary>PLSA on the EM driver: objective the log-likelihood per token.</summary>
internal sealed class PlsaSolver(IEmEngine<PlsaParameters, PlsaStatistics> engine, double tokens)
    : ObjectiveChangeSolver<PlsaParameters, PlsaStatistics>
{
    public override (PlsaStatistics Statistics, double Objective) Expect(PlsaParameters parameters)
    {
        PlsaStatistics statistics = engine.Expect(parameters);
        return (statistics, statistics.LogLikelihood / tokens);
    }

    public override PlsaParameters Maximize(PlsaStatistics statistics, PlsaParameters current) => PlsaMStep.Maximize(statistics, current);

    public override string ObjectiveName => "log-likelihood per token";
}
