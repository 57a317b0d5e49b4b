#!/usr/bin/env bash
# Regenerates the per-kernel table of docs/BENCHMARKS.md's "GPU performance model": the hot
# kernels of the benchmark problems compiled to sm_90 PTX as the engines compile them
# (PerfModelPtxTests), assembled by ptxas -v (registers, shared memory, spills), disassembled by
# cuobjdump -sass, with each kernel's occupancy on an H100/H200 SM and the instruction mix of
# its hottest innermost loop (the innermost backward branch with the most FFMA/DFMA).
#
#   bash docs/perf-model.sh [FOLDER]        (default /tmp/gpuem-perf-model; needs .ci/fetch-ptxas.sh's tools)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
out=$(realpath -m "${1:-/tmp/gpuem-perf-model}")
tools=${GPUEM_CUDA_TOOLS:-$HOME/.cache/gpuem/cuda-tools/bin}
[ -x "$tools/ptxas" ] || bash "$root/.ci/fetch-ptxas.sh"
if [ -z "${GPUEM_PERF_REUSE:-}" ]; then          # GPUEM_PERF_REUSE=1: only re-count an earlier run's files
  rm -rf "$out" && mkdir -p "$out/ptx"
  cd "$root"
  lock() { if command -v flock >/dev/null && [ -z "${GPUEM_NO_LOCK:-}" ]; then flock /tmp/gpuem-build.lock "$@"; else "$@"; fi; }
  lock dotnet build tests/GpuEm.Tests -v q >/dev/null
  GPUEM_PTX_REPORT="$out/ptx" lock dotnet test tests/GpuEm.Tests --no-build -v q \
    --filter "FullyQualifiedName~PerfModelPtxTests" >/dev/null
  cd "$out/ptx"
  tail -n +2 launches.tsv | while IFS=$'\t' read -r problem key kernel group dyn file; do
    base=${file%.ptx}
    "$tools/ptxas" -arch=sm_90 -v --warn-on-spills -o "$base.cubin" "$file" > "$base.ptxas.txt" 2>&1
    "$tools/cuobjdump" -sass "$base.cubin" > "$base.sass"
  done
fi
python3 - "$out/ptx" <<'PY'
import collections, os, re, sys
folder = sys.argv[1]
REGS, SMEM, WARPS, MAXBLOCKS = 65536, 228 * 1024, 64, 32   # per H100/H200 SM
line_re = re.compile(r"/\*([0-9a-f]{4,})\*/\s+(@!?U?P\w+\s+)?([A-Z][A-Z0-9_.]*)\s*([^;]*);")

def occupancy(regs, threads, shared):
    warps = (threads + 31) // 32
    per_warp = -(-regs * 32 // 256) * 256             # registers are allocated per warp, 256 at a time
    by_regs = REGS // (per_warp * warps) if regs else MAXBLOCKS
    by_shared = SMEM // (shared + 1024)                # 1 KiB per block is reserved
    by_warps = WARPS // warps
    blocks = min(by_regs, by_shared, by_warps, MAXBLOCKS)
    limit = min((by_regs, "registers"), (by_shared, "shared"), (by_warps, "warps"), (MAXBLOCKS, "blocks"))[1]
    return blocks, blocks * warps, limit

def loops(sass):
    code = [(int(m.group(1), 16), m.group(3), m.group(4)) for m in map(line_re.search, sass) if m]
    spans = []
    for addr, op, args in code:
        if op.startswith("BRA"):
            t = re.match(r"\s*(?:`\(\.L_x_\d+\)|0x([0-9a-f]+))", args)
            if t and t.group(1) and int(t.group(1), 16) <= addr:
                spans.append((int(t.group(1), 16), addr))
    inner = [s for s in spans if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)]
    result = []
    for lo, hi in inner:
        mix = collections.Counter()
        for addr, op, args in code:
            if lo <= addr <= hi:
                parts = op.split(".")
                name = parts[0]
                if name in ("LDS", "LDG", "STS", "STG", "LD", "ST", "LDL", "STL", "LDC"):
                    width = next((p for p in parts[1:] if p in ("64", "128")), "32")
                    name += "." + width
                mix[name] += 1
        result.append(((lo, hi), mix))
    return result

rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(folder, "launches.tsv"))][1:]
print("| problem | kernel | group | regs | static+dyn shared B | blocks/SM (limit) | warps/SM | hot inner loop: instrs, FFMA, FMUL+FADD, DADD+DFMA, F2F, MUFU, LDS words, global loads, STS, FFMA per LDS word |")
print("|---|---|---|---|---|---|---|---|")
for problem, key, kernel, group, dyn, file in rows:
    base = os.path.join(folder, file[:-4])
    ptxas = open(base + ".ptxas.txt").read()
    m = re.search(r"Used (\d+) registers(?:, (\d+) bytes smem)?", ptxas)
    regs, static = int(m.group(1)), int(m.group(2) or 0)
    spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", ptxas)
    threads = int(group) or 256                        # auto-grouped: assume 256
    shared = static + int(dyn)
    blocks, warps, limit = occupancy(regs, threads, shared)
    inner = loops(open(base + ".sass").read().splitlines())
    hot = max(inner, key=lambda l: (l[1]["FFMA"] + l[1]["DFMA"], sum(l[1].values())), default=None)
    if hot:
        mix = hot[1]
        lds_words = sum(n * int(k.split(".")[1]) // 32 for k, n in mix.items() if k.startswith("LDS."))
        ldg = sum(n for k, n in mix.items() if k.startswith(("LDG.", "LD.")))   # ILGPU emits generic ld: LD.E
        sts = sum(n for k, n in mix.items() if k.startswith("STS."))
        ratio = f"{mix['FFMA'] / lds_words:.2f}" if lds_words else "-"
        loop = (f"{sum(mix.values())}, {mix['FFMA']}, {mix['FMUL'] + mix['FADD']}, {mix['DADD'] + mix['DFMA']}, "
                f"{mix['F2F']}, {mix['MUFU']}, {lds_words}, {ldg}, {sts}, {ratio}")
    else:
        loop = "no loop"
    group_text = group if group != "0" else "auto (256 assumed)"
    spills = "" if not spill or spill.group(1) == spill.group(2) == "0" else f" SPILLS {spill.group(1)}/{spill.group(2)} B"
    print(f"| {problem} | {key} | {group_text} | {regs}{spills} | {static}+{dyn} | {blocks} ({limit}) | {warps} | {loop} |")

print()
print("Every innermost loop with floating-point work, per kernel (the same PTX serves every problem that launches it):")
print()
print("| kernel | loop (SASS offsets) | instrs | FFMA | FMUL+FADD | DADD+DFMA | F2F | MUFU | LDS words | global loads | other |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
seen = set()
for problem, key, kernel, group, dyn, file in rows:
    if key in seen:
        continue
    seen.add(key)
    for (lo, hi), mix in loops(open(os.path.join(folder, file[:-4]) + ".sass").read().splitlines()):
        fp = mix["FFMA"] + mix["FMUL"] + mix["FADD"] + mix["DADD"] + mix["DFMA"]
        if not fp:
            continue
        lds = sum(n * int(k.split(".")[1]) // 32 for k, n in mix.items() if k.startswith("LDS."))
        ldg = sum(n for k, n in mix.items() if k.startswith(("LDG.", "LD.")))
        named = mix["FFMA"] + mix["FMUL"] + mix["FADD"] + mix["DADD"] + mix["DFMA"] + mix["F2F"] + mix["MUFU"] \
            + sum(n for k, n in mix.items() if k.startswith(("LDS.", "LDG.", "LD.")))
        print(f"| {key} | {lo:#06x}-{hi:#06x} | {sum(mix.values())} | {mix['FFMA']} | {mix['FMUL'] + mix['FADD']} | "
              f"{mix['DADD'] + mix['DFMA']} | {mix['F2F']} | {mix['MUFU']} | {lds} | {ldg} | {sum(mix.values()) - named} |")
PY
echo
echo "PTX, cubins, ptxas reports and SASS in $out/ptx"
