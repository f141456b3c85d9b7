#!/usr/bin/env bash
# Builds src/main/opencl/attn4j.cl to SPIR-V during the Maven build, the way SYCL device code
# reaches Level Zero: clang-14 (OpenCL C 2.0, target spir64, Intel sub-groups on) to LLVM bitcode,
# llvm-spirv-14 to SPIR-V, then spirv-val, whose failure fails the build. clang runs at -O0
# without optnone: llvm-spirv-14 cannot translate the `freeze` instructions clang's optimizer
# emits, and the driver's compiler optimizes the module anyway. Cached by the content hash of the
# sources, the flags and the tools' versions. Without the tools it builds nothing and says so; the
# module still builds and the probe reports that the SPIR-V was not built.
# Usage: build-kernels.sh SRC_DIR OUT_DIR
set -euo pipefail
source "$(dirname "$0")/../scripts/kernel-cache.sh"
src=$1
out=$2
name=attn4j.spv
clang=${CLANG:-clang-14}
translator=${LLVM_SPIRV:-llvm-spirv-14}
validator=${SPIRV_VAL:-spirv-val}
for tool in "$clang" "$translator" "$validator"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-kernels: $tool not found: SPIR-V kernels not built (the xpu backend's Level Zero path will report it)"
    rm -f "$out/$name"
    exit 0
  fi
done
flags=(-c -target spir64 -cl-std=CL2.0 -Xclang -finclude-default-header -O0 -Xclang -disable-O0-optnone
       -cl-fp32-correctly-rounded-divide-sqrt -emit-llvm)
hash=$( { cat "$src"/*.cl; echo "${flags[*]}"; "$clang" --version; "$translator" --version; } | sha256sum | cut -c1-20)
cache=$(kernel_cache_dir xpu)
from_cache "$cache/$hash.spv" "$out/$name" && exit 0
start=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$clang" "${flags[@]}" -o "$tmp/attn4j.bc" "$src/attn4j.cl"
"$translator" --spirv-ext=+SPV_INTEL_subgroups "$tmp/attn4j.bc" -o "$tmp/$name"
"$validator" "$tmp/$name"   # fails the build on invalid SPIR-V
into_cache "$tmp/$name" "$cache/$hash.spv" "$out/$name" "$start"
