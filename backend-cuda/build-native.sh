#!/usr/bin/env bash
# Builds the JNI shim for programmatic dependent launch (src/main/native) with gcc during the Maven
# build, into OUT_DIR/<os>-<arch>/libattn4j_cuda_launch.so, a resource the backend extracts and
# loads when it opens a device of compute capability 9.0 or later. It links nothing: libcuda.so.1
# is looked up at run time. It needs the JDK's JNI headers and cuda.h, taken from the nvcc that
# builds the kernels; without gcc, nvcc or those headers it builds nothing and says so, the module
# still builds, and the backend launches every kernel the plain way, saying why in its device
# report (DeviceInfo detail "dependentLaunch").
# Usage: build-native.sh SRC_DIR OUT_DIR JAVA_HOME
set -euo pipefail
source "$(dirname "$0")/../scripts/jni-shim.sh"
jni_shim_setup libattn4j_cuda_launch.so "$2" "$3" "the cuda backend will launch the plain way and say so"
nvcc_bin=${NVCC:-nvcc}
command -v "$nvcc_bin" >/dev/null 2>&1 || jni_shim_skip "nvcc not found"
# nvcc's own include directory, as its dry run reports it (INCLUDES="-I<dir>").
cuda_inc=$("$nvcc_bin" --dryrun -x cu -c /dev/null -o /dev/null 2>&1 | sed -n 's/.*INCLUDES="-I\([^" ]*\).*/\1/p' | head -1)
[ -n "$cuda_inc" ] && [ -f "$cuda_inc/cuda.h" ] || jni_shim_skip "no cuda.h beside nvcc"
jni_shim_compile "$1" -I"$cuda_inc"
