#!/usr/bin/env bash
# Fetches NVIDIA's ptxas, cuobjdump and nvdisasm (Debian bookworm non-free, nvidia-cuda-toolkit
# 11.8: the three are self-contained, needing only libc) into a cache folder outside the
# repository, and prints the path of ptxas on its last line. The machine's apt configuration is
# untouched: a private sources list (the archive the machine already uses, suite bookworm,
# component non-free) with private lists and cache folders, `apt-get download` (no install) and
# `dpkg-deb -x`. NVIDIA's binaries are never committed: they live in $GPUEM_CUDA_TOOLS
# (default ~/.cache/gpuem/cuda-tools). GPUEM_DEBIAN_ARCHIVE overrides the archive. Fail-soft:
# exits 1 with a message when it cannot fetch.
set -uo pipefail

tools=${GPUEM_CUDA_TOOLS:-"$HOME/.cache/gpuem/cuda-tools"}
if [ -x "$tools/bin/ptxas" ] && "$tools/bin/ptxas" --version >/dev/null 2>&1; then
  echo "$tools/bin/ptxas"
  exit 0
fi

# The Debian archive the machine's own sources name (deb822 .sources or one-line lists).
archive=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*debian\/*\)[[:space:]]*$/\1/p' \
  /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
if [ -z "$archive" ]; then
  archive=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*debian\/*\)[[:space:]].*/\2/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
fi
archive=${GPUEM_DEBIAN_ARCHIVE:-${archive:-http://deb.debian.org/debian}}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb" "$work/root"
if [ -f "$keyring" ]; then
  echo "deb [signed-by=$keyring] $archive bookworm non-free" >"$work/sources.list"
else
  echo "deb $archive bookworm non-free" >"$work/sources.list"
fi
apt=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1)

echo "fetch-ptxas: downloading nvidia-cuda-toolkit from $archive (bookworm non-free)" >&2
if ! apt-get "${apt[@]}" -q update >"$work/log" 2>&1; then
  echo "fetch-ptxas: apt-get update failed; running without ptxas" >&2
  tail -n 3 "$work/log" >&2
  exit 1
fi
# apt's sandbox user cannot write into a root-owned temporary folder; the download is a plain
# file fetch, checked against the signed index either way.
if ! (cd "$work/deb" && apt-get "${apt[@]}" -q -o APT::Sandbox::User=root download nvidia-cuda-toolkit \
  >>"$work/log" 2>&1); then
  echo "fetch-ptxas: apt-get download failed; running without ptxas" >&2
  tail -n 3 "$work/log" >&2
  exit 1
fi
if ! dpkg-deb -x "$work"/deb/nvidia-cuda-toolkit_*.deb "$work/root"; then
  echo "fetch-ptxas: could not unpack the package; running without ptxas" >&2
  exit 1
fi
mkdir -p "$tools/bin"
for tool in ptxas cuobjdump nvdisasm; do
  cp "$work/root/usr/bin/$tool" "$tools/bin/$tool" || exit 1
done
if ! "$tools/bin/ptxas" --version >/dev/null 2>&1; then
  echo "fetch-ptxas: the fetched ptxas does not run here; running without ptxas" >&2
  rm -rf "$tools"
  exit 1
fi
echo "$tools/bin/ptxas"
