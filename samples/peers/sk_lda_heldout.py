#!/usr/bin/env python3
"""scikit-learn's batch (or, with --learning-method online, online) LDA on a seeded synthetic LDA corpus, with a held-out test corpus drawn
from the same topics, and the held-out perplexity by document completion computed exactly as
GpuEm's TopicModel.HeldOutPerplexity: each test document's tokens, listed in term order, are dealt
alternately to an observed half (1st, 3rd, ...) and a held-out half (2nd, 4th, ...); theta is
folded in on the observed half (sklearn's transform) and the held-out half scored under
theta @ components_ (rows normalized).

The corpus is drawn as ../shared/peers/sk_lda_bench.py draws it (topics ~ Dirichlet(0.05),
proportions ~ Dirichlet(0.1), lengths ~ Poisson(mean)); --write-uci DIR writes docword.txt,
test-docword.txt and vocab.txt for GpuEm. Prints one JSON line.
  /usr/bin/python3 samples/peers/sk_lda_heldout.py --docs 20000 --test-docs 2000 --words 5000 \
      --topics 50 --mean-length 100 --iterations 5 --write-uci /tmp/lda
"""
import argparse, json, os, time
import numpy as np, scipy.sparse as sp
from sklearn.decomposition import LatentDirichletAllocation

p = argparse.ArgumentParser()
p.add_argument("--docs", type=int, default=20000); p.add_argument("--test-docs", type=int, default=2000)
p.add_argument("--words", type=int, default=5000); p.add_argument("--topics", type=int, default=50)
p.add_argument("--mean-length", type=int, default=100); p.add_argument("--iterations", type=int, default=5)
p.add_argument("--seed", type=int, default=0); p.add_argument("--jobs", type=int, default=1)
p.add_argument("--write-uci", default=None); p.add_argument("--skip-fit", action="store_true")
p.add_argument("--learning-method", choices=["batch", "online"], default="batch")
p.add_argument("--batch-size", type=int, default=128)
a = p.parse_args()
rng = np.random.default_rng(a.seed)
beta = rng.dirichlet(np.full(a.words, 0.05), a.topics)
n = a.docs + a.test_docs
theta = rng.dirichlet(np.full(a.topics, 0.1), n)
lengths = np.maximum(rng.poisson(a.mean_length, n), 1)
rows, cols, vals = [], [], []
for d in range(n):
    w = rng.multinomial(lengths[d], theta[d] @ beta)
    nz = np.nonzero(w)[0]; rows.append(np.full(len(nz), d)); cols.append(nz); vals.append(w[nz])
X = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, a.words))
train, test = X[:a.docs], X[a.docs:]

def write_uci(path, M):
    C = M.tocoo()
    order = np.lexsort((C.col, C.row))
    with open(path, "w") as f:
        f.write(f"{M.shape[0]}\n{M.shape[1]}\n{C.nnz}\n")
        f.write("".join(f"{r+1} {c+1} {v}\n" for r, c, v in zip(C.row[order], C.col[order], C.data[order])))

if a.write_uci:
    os.makedirs(a.write_uci, exist_ok=True)
    write_uci(os.path.join(a.write_uci, "docword.txt"), train)
    write_uci(os.path.join(a.write_uci, "test-docword.txt"), test)
    with open(os.path.join(a.write_uci, "vocab.txt"), "w") as f: f.write("\n".join(f"w{j}" for j in range(a.words)) + "\n")

def split_alternately(M):
    obs_r, obs_c, obs_v, held_r, held_c, held_v = [], [], [], [], [], []
    M = M.tocsr(); M.sort_indices()
    for d in range(M.shape[0]):
        start, end = M.indptr[d], M.indptr[d + 1]
        position = 0  # tokens dealt so far in this document
        for t, c in zip(M.indices[start:end], M.data[start:end]):
            c = int(c)
            # positions position .. position+c-1 (0-based): even → observed, odd → held out
            first_even = position + (position % 2)
            observed = 0 if first_even > position + c - 1 else (position + c - 1 - first_even) // 2 + 1
            held = c - observed
            if observed: obs_r.append(d); obs_c.append(t); obs_v.append(observed)
            if held: held_r.append(d); held_c.append(t); held_v.append(held)
            position += c
    shape = M.shape
    return (sp.csr_matrix((obs_v, (obs_r, obs_c)), shape=shape), sp.csr_matrix((held_v, (held_r, held_c)), shape=shape))

result = {"peer": f"scikit-learn LatentDirichletAllocation ({a.learning_method})", "docs": a.docs, "testDocs": a.test_docs, "words": a.words,
          "topics": a.topics, "tokens": int(train.sum()), "nnz": int(train.nnz)}
if not a.skip_fit:
    lda = LatentDirichletAllocation(n_components=a.topics, learning_method=a.learning_method, max_iter=a.iterations,
                                    batch_size=a.batch_size,
                                    random_state=a.seed, n_jobs=a.jobs, evaluate_every=-1)
    t = time.perf_counter(); lda.fit(train); el = time.perf_counter() - t
    observed, held = split_alternately(test)
    theta_obs = lda.transform(observed)
    topics = lda.components_ / lda.components_.sum(axis=1, keepdims=True)
    H = held.tocoo()
    prob = np.einsum("ik,ik->i", theta_obs[H.row], topics[:, H.col].T)
    heldout = float(np.exp(-(H.data * np.log(prob)).sum() / H.data.sum()))
    result.update({"iterations": lda.n_iter_, "seconds": el, "secondsPerIteration": el / lda.n_iter_,
                   "trainingPerplexity": lda.perplexity(train), "heldOutPerplexity": heldout,
                   "boundPerplexityTest": lda.perplexity(test)})
print(json.dumps(result))
