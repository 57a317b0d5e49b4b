#!/usr/bin/env bash
# Checks docs/MODEL_FORMAT.md's NumPy loader against `gpuem predict`: the Python block of the doc
# is extracted as written, and for every covariance type and several k, on Old Faithful and on
# seeded 5-dimensional data, its labels must equal the CLI's line for line. Needs the .NET 10 SDK
# and python3 with NumPy (apt-get install python3-numpy). From the repository root:
#   tests/scripts/check-model-format.sh [WORK_FOLDER]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
python=${PYTHON:-python3}
lock=${GPUEM_BUILD_LOCK:-/tmp/gpuem-build.lock}

flock "$lock" dotnet build "$root/samples/GpuEm.Cli" -v q -nologo > /dev/null
gpuem() { dotnet "$root/samples/GpuEm.Cli/bin/Debug/net10.0/gpuem.dll" "$@"; }

# The doc's one python block, exactly as a reader would copy it.
awk '/^```python$/ { on = 1; next } on && /^```$/ { exit } on' "$root/docs/MODEL_FORMAT.md" \
    > "$work/gmm_predict.py"
[[ -s "$work/gmm_predict.py" ]] || { echo "no python block in docs/MODEL_FORMAT.md" >&2; exit 1; }

"$python" - "$work/blobs.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(7)
centres = rng.normal(scale=4, size=(4, 5))
x = np.concatenate([rng.normal(size=(150, 5)) @ rng.normal(size=(5, 5)) * 0.5 + c for c in centres])
np.savetxt(sys.argv[1], x.astype(np.float32), delimiter=",", fmt="%.7g")
PY

checked=0
for data in "$root/samples/GpuEm.Cli/Data/faithful.csv" "$work/blobs.csv"; do
    for covariance in full tied diag spherical; do
        for k in 1 3 5; do
            gpuem fit --input "$data" --k "$k" --covariance "$covariance" --seed 3 \
                --output "$work/model.json" > /dev/null 2>&1
            gpuem predict --model "$work/model.json" --input "$data" > "$work/cli.txt"
            "$python" "$work/gmm_predict.py" "$work/model.json" "$data" > "$work/numpy.txt"
            if ! cmp -s "$work/cli.txt" "$work/numpy.txt"; then
                echo "labels differ: $(basename "$data") $covariance k=$k (see $work)" >&2
                exit 1
            fi
            checked=$((checked + 1))
        done
    done
done
echo "ok: the NumPy loader of docs/MODEL_FORMAT.md reproduces gpuem predict in $checked fits"
