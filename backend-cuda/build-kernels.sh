#!/usr/bin/env bash
# Builds src/main/cuda into one fatbin (sm_80 and sm_90a machine code, compute_90 PTX) during the
# Maven build, cached by the content hash of the sources, the flags and the nvcc version, so an
# unchanged tree never recompiles. Without nvcc it builds nothing and says so; the module still
# builds and its probe reports that the kernels were not built.
# Usage: build-kernels.sh SRC_DIR OUT_DIR SHARED_DIR   (SHARED_DIR: cuda-driver's kernel_params.cuh)
set -euo pipefail
source "$(dirname "$0")/../scripts/kernel-cache.sh"
src=$1
out=$2
shared=$3
name=attn4j.fatbin
nvcc_bin=${NVCC:-nvcc}
if ! command -v "$nvcc_bin" >/dev/null 2>&1; then
  echo "build-kernels: nvcc not found: CUDA kernels not built (the cuda backend will report it)"
  rm -f "$out/$name"
  exit 0
fi
flags=(-std=c++17 -O3 -fatbin --threads 2
       -gencode arch=compute_80,code=sm_80
       -gencode arch=compute_90a,code=sm_90a
       -gencode arch=compute_90,code=compute_90)
hash=$( { cat "$src"/*.cu "$src"/*.cuh "$shared"/*.cuh; echo "${flags[*]}"; "$nvcc_bin" --version; } | sha256sum | cut -c1-20)
cache=$(kernel_cache_dir cuda)
from_cache "$cache/$hash.fatbin" "$out/$name" && exit 0
start=$(date +%s)
"$nvcc_bin" "${flags[@]}" -I "$shared" -o "$cache/$hash.tmp" "$src/attn4j.cu"
into_cache "$cache/$hash.tmp" "$cache/$hash.fatbin" "$out/$name" "$start"
