#!/usr/bin/env bash
# Renders the README's pictures into docs/images/ (run from anywhere; needs dotnet and python3).
# Every fit uses the reference engine and a fixed seed, so the pictures are reproducible.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/docs/images"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build "$root/samples/GpuEm.Cli" -v q -nologo > /dev/null
gpuem() { dotnet "$root/samples/GpuEm.Cli/bin/Debug/net10.0/gpuem.dll" "$@"; }
faithful="$root/samples/GpuEm.Cli/Data/faithful.csv"

# Old Faithful (272 eruptions × duration, waiting): clusters with ellipses, uncertainty.
gpuem fit --input "$faithful" --k 2 --seed 0 --backend reference --output "$work/faithful.json" > /dev/null
gpuem plot --model "$work/faithful.json" --input "$faithful" --what clusters --width 700 --height 500 --out "$out/faithful-clusters.png"
gpuem plot --model "$work/faithful.json" --input "$faithful" --what uncertainty --width 700 --height 500 --out "$out/faithful-uncertainty.png"

# BIC against k for every covariance type, the best ringed.
gpuem select --input "$faithful" --k-max 6 --seed 0 --backend reference --plot "$out/faithful-bic.png" --quiet > /dev/null

# 1-D: the eruption durations alone, histogram and fitted densities.
cut -d, -f1 "$faithful" > "$work/durations.csv"
gpuem fit --input "$work/durations.csv" --k 2 --seed 0 --backend reference --output "$work/durations.json" > /dev/null
gpuem plot --model "$work/durations.json" --input "$work/durations.csv" --what density --width 700 --height 500 --out "$out/durations-density.png"

# 4-D: 300 seeded points from three correlated Gaussians, as a pairs plot.
python3 - "$work/blobs4.csv" <<'PY'
import random, sys
random.seed(4)
centres = [(0, 0, 0, 0), (4, 3, -2, 1), (-3, 4, 2, -2)]
with open(sys.argv[1], "w") as f:
    for i in range(300):
        c = centres[i % 3]
        z = [random.gauss(0, 1) for _ in range(4)]
        x = [c[0] + z[0], c[1] + 0.6 * z[0] + 0.8 * z[1], c[2] + z[2], c[3] - 0.5 * z[2] + 0.7 * z[3]]
        f.write(",".join(f"{v:.4f}" for v in x) + "\n")
PY
gpuem fit --input "$work/blobs4.csv" --k 3 --seed 0 --backend reference --output "$work/blobs4.json" > /dev/null
gpuem plot --model "$work/blobs4.json" --input "$work/blobs4.csv" --what clusters --width 700 --height 600 --out "$out/blobs4-pairs.png"
ls -l "$out"/*.png
