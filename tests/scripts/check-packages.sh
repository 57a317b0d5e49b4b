#!/usr/bin/env bash
# End-to-end check of what `dotnet pack` makes, as the README's "Use the packages" section does
# it: pack into a fresh folder, reference the library GpuEm from a new console program through a
# nuget.config, run a Gaussian mixture fit, install the gpuem-cli tool into a tool path and run
# `gpuem demo`. Prints each package's size. Needs the .NET 10 SDK and nuget.org (for ILGPU,
# MathNet.Numerics, ScottPlot). Usage, from the repository root:
#   tests/scripts/check-packages.sh [WORK_FOLDER]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
pkgs="$work/pkgs"
# A package cache of its own: the same version packed again must not be served from
# ~/.nuget/packages, where an older build of 0.1.0 may lie.
export NUGET_PACKAGES="$work/nuget-cache"
lock=${GPUEM_BUILD_LOCK:-/tmp/gpuem-build.lock}
dn() { flock "$lock" dotnet "$@"; }

dn pack "$root/GpuEm.sln" -c Release -o "$pkgs" -v q
echo "packages:"
( cd "$pkgs" && ls -l -- *.nupkg *.snupkg | awk '{ printf "  %10d  %s\n", $5, $9 }' )

app="$work/app"
mkdir -p "$app"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
    <add key="gpuem-local" value="$pkgs" />
  </packageSources>
</configuration>
XML
cd "$app"
dn new console --force -o . -n GpuEmCheck > /dev/null
dn add package GpuEm > /dev/null
cat > Program.cs <<'CS'
using GpuEm.Models.GaussianMixture;

var data = new float[400, 2];
for (int i = 0; i < 400; i++) { data[i, 0] = i % 2 * 5 + i % 7 * 0.1f; data[i, 1] = i % 5 * 0.1f; }
var model = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2, Seed = 42 }).Fit(data);
Console.WriteLine($"weights {string.Join(", ", model.Weights)}; labels {string.Join("", model.Predict(data)[..8])}");
CS
out=$(dn run)
echo "library: $out"
[[ "$out" == "weights 0.5, 0.5; labels "* ]] || { echo "unexpected library output" >&2; exit 1; }

tools="$work/tools"
dn tool install --tool-path "$tools" gpuem-cli --add-source "$pkgs" > /dev/null
"$tools/gpuem" demo --backend reference | head -4
"$tools/gpuem" fit --input "$root/samples/GpuEm.Cli/Data/faithful.csv" --k 2 \
    --output "$work/faithful.json" > /dev/null 2>&1
"$tools/gpuem" plot --model "$work/faithful.json" \
    --input "$root/samples/GpuEm.Cli/Data/faithful.csv" --out "$work/faithful.png"
echo "ok: library referenced as GpuEm, tool gpuem-cli installed and run (work folder $work)"
