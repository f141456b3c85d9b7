#!/usr/bin/env bash
# Builds the probe tests' stand-in Level Zero loaders (src/test/native/fake_ze_loader.c) with gcc:
# OUT_DIR/libfake_ze_no_intel_gpu.so and OUT_DIR/libfake_ze_intel_gpu.so. Without gcc or the
# Level Zero headers it builds nothing; the tests that need them skip (or fail in CI).
# Usage: build-fake-loader.sh SRC_DIR OUT_DIR
set -euo pipefail
src=$1
out=$2
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null 2>&1 || ! echo '#include <level_zero/ze_api.h>' | "$cc" -E -x c - >/dev/null 2>&1; then
  echo "build-fake-loader: no $cc or no Level Zero headers: test loaders not built"
  exit 0
fi
mkdir -p "$out"
"$cc" -shared -fPIC -O1 -std=c11 -Wall -Werror -Wno-unused-parameter -DFAKE_INTEL_GPU=0 \
  "$src/fake_ze_loader.c" -o "$out/libfake_ze_no_intel_gpu.so"
"$cc" -shared -fPIC -O1 -std=c11 -Wall -Werror -Wno-unused-parameter -DFAKE_INTEL_GPU=1 \
  "$src/fake_ze_loader.c" -o "$out/libfake_ze_intel_gpu.so"
echo "build-fake-loader: built the test loaders in $out"
