#!/usr/bin/env python3
"""Times pomegranate 0.14 (Debian python3-pomegranate) Baum-Welch on a seeded Gaussian HMM data set.

A copy of ../shared/peers/pg_hmm_bench.py that also prints the duration of every epoch (one
M-step + one E-step, from pomegranate's History): fit(max_iterations=I) runs I + 1 E-steps, so
seconds / I over-counts an iteration; the median epoch is the figure GpuEm's iteration is set against.

Prints one JSON line: secondsPerIteration (fit time / iterations), logLikelihood per iteration run.
  /usr/bin/python3 pg_hmm_epochs.py --sequences 1000 --length 1000 --states 16 --d 8 --iterations 5 [--cov diag|full] [--jobs 1]
"""
import argparse, json, time
import numpy as np
import pomegranate as pg

p = argparse.ArgumentParser()
p.add_argument("--sequences", type=int, default=1000); p.add_argument("--length", type=int, default=1000)
p.add_argument("--states", type=int, default=16); p.add_argument("--d", type=int, default=8)
p.add_argument("--iterations", type=int, default=5); p.add_argument("--cov", default="diag", choices=["diag", "full"])
p.add_argument("--jobs", type=int, default=1); p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
rng = np.random.default_rng(a.seed)
K, d = a.states, a.d
means = rng.normal(0, 3, (K, d)); G = rng.dirichlet(np.ones(K), K) * 0.2 + np.eye(K) * 0.8
seqs = []
for s in range(a.sequences):
    z = rng.integers(K); out = np.empty((a.length, d))
    for t in range(a.length):
        out[t] = means[z] + rng.normal(0, 1, d); z = rng.choice(K, p=G[z])
    seqs.append(out)
def dist(k):
    m = means[k] + rng.normal(0, 0.5, d)
    if a.cov == "full": return pg.MultivariateGaussianDistribution(m, np.eye(d))
    return pg.IndependentComponentsDistribution([pg.NormalDistribution(m[j], 1.0) for j in range(d)])
model = pg.HiddenMarkovModel.from_matrix(np.full((K, K), 1.0 / K), [dist(k) for k in range(K)], np.full(K, 1.0 / K))
t = time.perf_counter()
_, hist = model.fit(seqs, algorithm="baum-welch", max_iterations=a.iterations, min_iterations=a.iterations,
                    stop_threshold=-1, n_jobs=a.jobs, verbose=False, return_history=True)
el = time.perf_counter() - t
print(json.dumps({"peer": f"pomegranate {pg.__version__}", "sequences": a.sequences, "length": a.length, "states": K, "d": d,
                  "cov": a.cov, "iterations": a.iterations, "seconds": el, "secondsPerIteration": el / a.iterations,
                  "epochSeconds": list(hist.epoch_durations), "medianEpochSeconds": float(np.median(hist.epoch_durations)),
                  "logLikelihood": float(sum(model.log_probability(s) for s in seqs[:50]))}))
