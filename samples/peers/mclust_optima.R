#!/usr/bin/Rscript
# One mclust fit for samples/peers/optima_compare.py: Rscript mclust_optima.R FILE.csv K MODEL
# (MODEL: VVV full, VVI diagonal, VII spherical, EEE tied). mclust starts EM from its model-based
# hierarchical agglomeration (defaults of mclust.options(): hcUse "SVD"); prints one JSON line
# with the log-likelihood, or null when mclust returns no model (singular covariances).
suppressPackageStartupMessages(library(mclust))
args <- commandArgs(trailingOnly = TRUE)
x <- as.matrix(read.csv(args[1], header = FALSE))
k <- as.integer(args[2])
fit <- tryCatch(Mclust(x, G = k, modelNames = args[3], verbose = FALSE), error = function(e) NULL)
ll <- if (is.null(fit)) "null" else sprintf("%.10g", fit$loglik)
cat(sprintf('{"mclust": "%s", "model": "%s", "loglik": %s}\n', as.character(packageVersion("mclust")), args[3], ll))
