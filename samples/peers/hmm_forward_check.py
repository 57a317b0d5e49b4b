#!/usr/bin/env python3
"""Independent check of a gpuem.hidden-markov model file (Gaussian emissions, full or diagonal,
one Gaussian per state): the log-likelihood of a CSV by a plain NumPy log-space forward algorithm.

  /usr/bin/python3 samples/peers/hmm_forward_check.py MODEL.json DATA.csv [--header]

Rows are read as float32 (as gpuem reads them), then computed in float64. Prints the NumPy value and
the model file's logLikelihood (the training data's, so give the training CSV).
"""
import json, sys
import numpy as np

model, data = sys.argv[1], sys.argv[2]
m = json.load(open(model))
assert m["format"] == "gpuem.hidden-markov" and m["emission"] == "gaussian", "Gaussian HMM files only"
k, d, kind = m["states"], m["dimension"], m["covarianceType"]
pi = np.array(m["startProbabilities"])
A = np.array(m["transitionMatrix"]).reshape(k, k)
mu = np.array(m["means"]).reshape(k, d)
c = np.array(m["covariances"])
S = {"Full": lambda: c.reshape(k, d, d), "Diagonal": lambda: np.array([np.diag(r) for r in c.reshape(k, d)]),
     "Spherical": lambda: np.array([v * np.eye(d) for v in c]), "Tied": lambda: np.repeat(c.reshape(1, d, d), k, 0)}[kind]()
X = np.loadtxt(data, delimiter=",", skiprows=1 if "--header" in sys.argv else 0, ndmin=2).astype(np.float32).astype(np.float64)


def logsumexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top + np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)), axis=axis)


logb = np.empty((len(X), k))
for j in range(k):
    L = np.linalg.cholesky(S[j])
    z = np.linalg.solve(L, (X - mu[j]).T)
    logb[:, j] = -0.5 * (d * np.log(2 * np.pi) + 2 * np.log(np.diag(L)).sum() + (z * z).sum(0))
with np.errstate(divide="ignore"):
    logA, alpha = np.log(A), np.log(pi) + logb[0]
for t in range(1, len(X)):
    alpha = logsumexp(alpha[:, None] + logA, 0) + logb[t]
print(json.dumps({"numpyLogLikelihood": float(logsumexp(alpha, 0)), "modelLogLikelihood": m["logLikelihood"]}))
