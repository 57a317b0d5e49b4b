#!/usr/bin/env bash
# One command for a session that has the lent GPU: the kernels against the reference
# (`GpuEm.Bench --check`: every covariance type, k-means and hidden Markov models; resident,
# streamed, several iterations), then the benchmark table's problems on CUDA (with the HMM
# targets: 10⁴ sequences × 10³ steps, K = 64, d = 16; one sequence of 10⁷ steps, K = 16), all into one JSON file,
# $OUT/gpu-check.json, within a 5-minute budget (each run gets what is left, at most its own cap).
#
# On this machine:   ../shared/gpu/publish.sh samples/GpuEm.Bench
# then the device tool's run with carry [".gpu"] and command
#                    bash samples/GpuEm.Bench/gpu-check.sh
# Rehearsal without a GPU (tiny sizes, the CPU accelerator; the published .gpu/ program when
# there is one, else the Release build via dotnet):
#                    bash samples/GpuEm.Bench/gpu-check.sh --dry-run
#
# Each entry of "runs": the arguments, exit code, seconds, and the program's --json object
# (null when it printed none; then "error" holds its last output line). Exit 0 when every run
# exited 0.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export root
dry=0
[ "${1:-}" = "--dry-run" ] && dry=1
out=${OUT:-$root/gpu-check-out}
mkdir -p "$out"
result=$out/gpu-check.json
budget=${GPUEM_GPU_CHECK_BUDGET:-365}
start=$(date +%s)

if [ "$dry" = 1 ]; then
  backend=cpu-accelerator
  if [ -x "$root/.gpu/GpuEm.Bench" ]; then        # the published program, as on the GPU machine
    bench() { bash "$root/.gpu/device-run.sh" GpuEm.Bench "$@"; }
  else                                             # else the built one
    export dll=$root/samples/GpuEm.Bench/bin/Release/net10.0/GpuEm.Bench.dll
    [ -f "$dll" ] || dotnet build "$root/samples/GpuEm.Bench" -c Release -v q >/dev/null || exit 1
    bench() { dotnet "$dll" "$@"; }
  fi
  big=(--n 3000 --d 6 --k 3); mid=(--n 2000 --d 8 --k 4); iters=2; peaks=()
  hmm_many=(--sequences 20 --length 50 --states 4 --d 3); hmm_long=(--sequences 1 --length 3000 --states 3 --d 2)
  checks=("--n 2000 --d 5 --k 3" "--n 2000 --d 9 --k 2 --device-memory-limit 320000" "--n 1500 --d 4 --k 6 --iterations 3")
else
  backend=cuda
  bench() { bash "$root/.gpu/device-run.sh" GpuEm.Bench "$@"; }
  big=(--n 10000000 --d 32 --k 64); mid=(--n 1000000 --d 64 --k 64); iters=5
  hmm_many=(--sequences 10000 --length 1000 --states 64 --d 16); hmm_long=(--sequences 1 --length 10000000 --states 16 --d 4)
  # H200 SXM: 66.9 TFLOP/s fp32 (non-tensor), 4.8 TB/s HBM3e (the bench's default is the H100's 3.35 TB/s).
  peaks=(--peak-gflops "${GPUEM_PEAK_GFLOPS:-66900}" --peak-gbs "${GPUEM_PEAK_GBS:-4800}")
  checks=("--n 300000 --d 33 --k 5" "--n 300000 --d 70 --k 3 --device-memory-limit 50000000" "--n 100000 --d 32 --k 64 --iterations 3")
fi

# JSON string of $1 (quotes, backslashes and control characters escaped).
quote() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g' | tr -d '\000-\010\013-\037' | awk 'BEGIN{ORS=""} NR>1{print "\\n"} {print}' | sed 's/^/"/; s/$/"/'; }

runs=()
failed=0
# run CAP_SECONDS ARGS...: one program run under the time left (at most CAP_SECONDS).
run() {
  local cap=$1; shift
  local left=$(( budget - ($(date +%s) - start) ))
  local limit=$(( left < cap ? left : cap ))
  local args="$*"
  if [ "$limit" -lt 5 ]; then
    runs+=("{\"args\":$(quote "$args"),\"exit\":null,\"seconds\":0,\"result\":null,\"error\":\"skipped: the time budget was spent\"}")
    failed=1; return
  fi
  local t0 text code json error=null
  t0=$(date +%s.%N)
  text=$(timeout --kill-after=5 "$limit" bash -c "$(declare -f bench); bench \"\$@\"" bench "$@" --json 2>&1)
  code=$?
  local seconds
  seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')
  json=$(printf '%s\n' "$text" | grep '^{' | tail -n 1)
  [ -z "$json" ] && json=null
  [ "$code" -eq 124 ] && error=$(quote "timed out after ${limit} s")
  [ "$code" -ne 0 ] && [ "$error" = null ] && error=$(quote "$(printf '%s\n' "$text" | tail -n 1)")
  [ "$code" -ne 0 ] && failed=1
  runs+=("{\"args\":$(quote "$args"),\"exit\":$code,\"seconds\":$seconds,\"result\":$json,\"error\":$error}")
  echo "gpu-check: exit $code in ${seconds} s: $args" >&2
}

gpu=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -n 1)
for c in "${checks[@]}"; do
  # shellcheck disable=SC2086
  run 60 --check --backend "$backend" $c
done
for cov in diag full spherical tied; do
  run 45 --model gmm --covariance "$cov" "${big[@]}" --iterations "$iters" --backend "$backend" "${peaks[@]}"
done
run 30 --model kmeans "${big[@]}" --iterations "$iters" --backend "$backend" "${peaks[@]}"
for cov in diag full; do
  run 30 --model gmm --covariance "$cov" "${mid[@]}" --iterations "$iters" --backend "$backend" "${peaks[@]}"
done
# Hidden Markov models (issue 15's targets): many sequences, K = 64, d = 16 diag; one long sequence
# parallel in time, K = 16.
run 40 --model hmm --covariance diag "${hmm_many[@]}" --iterations "$iters" --backend "$backend"
run 40 --model hmm --covariance diag "${hmm_long[@]}" --iterations "$iters" --backend "$backend"

{
  printf '{"tool":"samples/GpuEm.Bench/gpu-check.sh","dryRun":%s,"backend":"%s","gpu":%s,' \
    "$([ "$dry" = 1 ] && echo true || echo false)" "$backend" "$(quote "${gpu:-none}")"
  printf '"commit":%s,"started":"%s","seconds":%d,"passed":%s,"runs":[' \
    "$(quote "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)")" \
    "$(date -u -d "@$start" +%FT%TZ)" $(( $(date +%s) - start )) "$([ "$failed" = 0 ] && echo true || echo false)"
  (IFS=,; printf '%s' "${runs[*]}")
  printf ']}\n'
} > "$result.tmp" && mv "$result.tmp" "$result"
echo "gpu-check: wrote $result ($([ "$failed" = 0 ] && echo 'all runs exited 0' || echo 'SOME RUNS FAILED'))" >&2
exit "$failed"
