#!/usr/bin/env bash
# Builds the JNI shim for programmatic dependent launch (src/main/native) with gcc during the Maven
# build, into OUT_DIR/<os>-<arch>/libattn4j_cuda_launch.so, a resource the backend extracts and
# loads when it opens a device of compute capability 9.0 or later. It links nothing: libcuda.so.1
# is looked up at run time. It needs the JDK's JNI headers and cuda.h, taken from the nvcc that
# builds the kernels; without gcc, nvcc or those headers it builds nothing and says so, the module
# still builds, and the backend launches every kernel the plain way, saying why in its device
# report (DeviceInfo property "dependentLaunch").
# Usage: build-native.sh SRC_DIR OUT_DIR JAVA_HOME
set -euo pipefail
src=$1
out=$2
java_home=$3
cc=${CC:-gcc}
nvcc_bin=${NVCC:-nvcc}
name=libattn4j_cuda_launch.so
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) arch=$(uname -m) ;;
esac
dir="$out/linux-$arch"
skip() {
  echo "build-native: $1: dependent-launch shim not built (the cuda backend will launch the plain way and say so)"
  rm -f "$dir/$name"
  exit 0
}
[ "$(uname -s)" = Linux ] || skip "not Linux"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not found"
command -v "$nvcc_bin" >/dev/null 2>&1 || skip "nvcc not found"
jni=
for candidate in "$java_home/include" "$java_home/../include"; do
  [ -f "$candidate/jni.h" ] && jni=$candidate && break
done
[ -n "$jni" ] || skip "no jni.h under $java_home (a JRE without the JDK's headers?)"
# nvcc's own include directory, as its dry run reports it (INCLUDES="-I<dir>").
cuda_inc=$("$nvcc_bin" --dryrun -x cu -c /dev/null -o /dev/null 2>&1 | sed -n 's/.*INCLUDES="-I\([^" ]*\).*/\1/p' | head -1)
[ -n "$cuda_inc" ] && [ -f "$cuda_inc/cuda.h" ] || skip "no cuda.h beside nvcc"
mkdir -p "$dir"
"$cc" -shared -fPIC -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$jni" -I"$jni/linux" -I"$cuda_inc" \
  "$src"/*.c -ldl -o "$dir/$name"
echo "build-native: built $dir/$name"
