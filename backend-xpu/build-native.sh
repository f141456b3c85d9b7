#!/usr/bin/env bash
# Builds the JNI shim over Level Zero (src/main/native) with gcc during the Maven build, into
# OUT_DIR/<os>-<arch>/libattn4j_ze.so, a resource the backend extracts and loads at run time. It
# links nothing Intel: the loader is dlopened when the probe runs. It needs the JDK's JNI headers
# and the Level Zero headers (Debian's libze-dev); without gcc or those headers it builds nothing
# and says so, the module still builds, and the probe reports that the shim was not built.
# Usage: build-native.sh SRC_DIR OUT_DIR JAVA_HOME
set -euo pipefail
src=$1
out=$2
java_home=$3
cc=${CC:-gcc}
name=libattn4j_ze.so
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=aarch64 ;;
  *) arch=$(uname -m) ;;
esac
dir="$out/linux-$arch"
skip() {
  echo "build-native: $1: JNI shim not built (the xpu backend's Level Zero path will report it)"
  rm -f "$dir/$name"
  exit 0
}
[ "$(uname -s)" = Linux ] || skip "not Linux"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not found"
jni=
for candidate in "$java_home/include" "$java_home/../include"; do
  [ -f "$candidate/jni.h" ] && jni=$candidate && break
done
[ -n "$jni" ] || skip "no jni.h under $java_home (a JRE without the JDK's headers?)"
echo '#include <level_zero/ze_api.h>' | "$cc" -E -x c - >/dev/null 2>&1 || skip "no Level Zero headers (install libze-dev)"
mkdir -p "$dir"
"$cc" -shared -fPIC -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$jni" -I"$jni/linux" \
  "$src"/*.c -ldl -o "$dir/$name"
echo "build-native: built $dir/$name"
