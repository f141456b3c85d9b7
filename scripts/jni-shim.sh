# Sourced by the backends' build-native.sh: what every JNI shim build does the same way. The shim
# goes to OUT_DIR/linux-<arch>/NAME, a resource the backend extracts and loads
# (dev.attn4j.api.support.NativeShim); a build that cannot make it builds nothing, says why and
# exits 0, so the module still builds and its backend reports the shim missing.

# jni_shim_setup NAME OUT_DIR JAVA_HOME INSTEAD: sets cc, dir, jni and target, or skips (exit 0)
# naming INSTEAD, what the backend does without the shim, when this is not Linux, there is no C
# compiler ($CC, else gcc) or no jni.h under JAVA_HOME.
jni_shim_setup() {
  local name=$1 out=$2 java_home=$3
  jni_shim_instead=$4
  cc=${CC:-gcc}
  local arch
  case "$(uname -m)" in
    x86_64|amd64) arch=x86_64 ;;
    aarch64|arm64) arch=aarch64 ;;
    *) arch=$(uname -m) ;;
  esac
  dir="$out/linux-$arch"
  target="$dir/$name"
  [ "$(uname -s)" = Linux ] || jni_shim_skip "not Linux"
  command -v "$cc" >/dev/null 2>&1 || jni_shim_skip "$cc not found"
  jni=
  local candidate
  for candidate in "$java_home/include" "$java_home/../include"; do
    [ -f "$candidate/jni.h" ] && jni=$candidate && break
  done
  [ -n "$jni" ] || jni_shim_skip "no jni.h under $java_home (a JRE without the JDK's headers?)"
}

# jni_shim_skip WHY: removes a stale shim, says why none is built, exits 0.
jni_shim_skip() {
  echo "build-native: $1: JNI shim not built ($jni_shim_instead)"
  rm -f "$target"
  exit 0
}

# jni_shim_compile SRC_DIR EXTRA_CFLAGS...: compiles SRC_DIR/*.c into the shim (linking only libdl).
jni_shim_compile() {
  local src=$1
  shift
  mkdir -p "$dir"
  "$cc" -shared -fPIC -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$jni" -I"$jni/linux" "$@" \
    "$src"/*.c -ldl -o "$target"
  echo "build-native: built $target"
}
