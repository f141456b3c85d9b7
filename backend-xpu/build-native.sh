#!/usr/bin/env bash
# Builds the JNI shim over Level Zero (src/main/native) with gcc during the Maven build, into
# OUT_DIR/<os>-<arch>/libattn4j_ze.so, a resource the backend extracts and loads at run time. It
# links nothing Intel: the loader is dlopened when the probe runs. It needs the JDK's JNI headers
# and the Level Zero headers (Debian's libze-dev); without gcc or those headers it builds nothing
# and says so, the module still builds, and the probe reports that the shim was not built.
# Usage: build-native.sh SRC_DIR OUT_DIR JAVA_HOME
set -euo pipefail
source "$(dirname "$0")/../scripts/jni-shim.sh"
jni_shim_setup libattn4j_ze.so "$2" "$3" "the xpu backend's Level Zero path will report it"
echo '#include <level_zero/ze_api.h>' | "$cc" -E -x c - >/dev/null 2>&1 || jni_shim_skip "no Level Zero headers (install libze-dev)"
jni_shim_compile "$1"
