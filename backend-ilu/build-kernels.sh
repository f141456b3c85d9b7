#!/usr/bin/env bash
# Builds the ilu kernels (src/main/cuda, plain CUDA C) during the Maven build, and ships their
# source in the jar (dev/attn4j/ilu/src/) so they can be rebuilt for a CoreX version at hand.
#  - attn4j_ilu.fatbin: nvcc, for NVIDIA GPUs (sm_80 and sm_90 machine code, compute_90 PTX),
#    where the kernels are tested with attn4j.ilu.allowAnyCudaDevice=true; 32-lane warps.
#  - attn4j_ilu.corex: CoreX's clang++ (found as $COREX_HOME/bin/clang++ or
#    /usr/local/corex/bin/clang++), device code for Iluvatar GPUs (arch $COREX_ARCH, default
#    ivcore11); 64-lane warps (__ILUVATAR__). Built only where CoreX is installed.
# Each output is cached by the content hash of the sources, the flags and the compiler version, so
# an unchanged tree never recompiles. A missing compiler builds nothing and says so; the module
# still builds and its probe reports which kernels are missing.
# Usage: build-kernels.sh SRC_DIR OUT_DIR SHARED_DIR   (SHARED_DIR: cuda-driver's kernel_params.cuh)
set -euo pipefail
source "$(dirname "$0")/../scripts/kernel-cache.sh"
src=$1
out=$2
shared=$3
mkdir -p "$out/src"
cp "$src"/*.cu "$src"/*.cuh "$shared"/*.cuh "$out/src/"
cache=$(kernel_cache_dir ilu)

# build NAME COMPILER VERSION_ARGS -- FLAGS...
build() {
  local name=$1 cc=$2 version; shift 2
  version=$("$cc" --version 2>&1 | head -3)
  local hash
  hash=$( { cat "$src"/*.cu "$src"/*.cuh "$shared"/*.cuh; echo "$*"; echo "$version"; } | sha256sum | cut -c1-20)
  from_cache "$cache/$hash.$name" "$out/$name" && return
  local start; start=$(date +%s)
  "$cc" "$@" -I "$shared" -o "$cache/$hash.tmp" "$src/attn4j_ilu.cu"
  into_cache "$cache/$hash.tmp" "$cache/$hash.$name" "$out/$name" "$start"
}

nvcc_bin=${NVCC:-nvcc}
if command -v "$nvcc_bin" >/dev/null 2>&1; then
  build attn4j_ilu.fatbin "$nvcc_bin" -std=c++17 -O3 -fatbin --threads 2 \
    -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
else
  echo "build-kernels: nvcc not found: the ilu kernels for NVIDIA (compat testing) not built"
  rm -f "$out/attn4j_ilu.fatbin"
fi

corex_cc=${COREX_HOME:-/usr/local/corex}/bin/clang++
if [ -x "$corex_cc" ]; then
  build attn4j_ilu.corex "$corex_cc" -std=c++17 -O3 -x cuda --cuda-gpu-arch="${COREX_ARCH:-ivcore11}" \
    --cuda-device-only -c
else
  echo "build-kernels: CoreX clang++ not found: the ilu kernels for Iluvatar GPUs not built (their source is in the jar)"
  rm -f "$out/attn4j_ilu.corex"
fi
