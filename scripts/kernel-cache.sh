# Sourced by the backends' build-kernels.sh: the cache of built kernel images, keyed by the content
# hash of the sources, the flags and the compiler's version, so an unchanged tree never recompiles.
# The cache lives in $ATTN4J_KERNEL_CACHE, else $XDG_CACHE_HOME/attn4j/<backend>, else ~/.cache/attn4j/<backend>.

# kernel_cache_dir BACKEND: the cache folder (created).
kernel_cache_dir() {
  local dir=${ATTN4J_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/attn4j/$1}
  mkdir -p "$dir"
  echo "$dir"
}

# from_cache CACHED OUT: copies a cached image to OUT and says so; false when there is none.
from_cache() {
  [ -s "$1" ] || return 1
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
  echo "build-kernels: $(basename "$2"): sources unchanged ($(basename "$1")), from the cache"
}

# into_cache BUILT CACHED OUT START: keeps a freshly built image and copies it to OUT; START is when the build began.
into_cache() {
  mv "$1" "$2"
  mkdir -p "$(dirname "$3")"
  cp "$2" "$3"
  echo "build-kernels: built $(basename "$3") ($(basename "$2"), $(stat -c %s "$3") bytes) in $(( $(date +%s) - $4 )) s"
}
