#!/usr/bin/env bash
# Installs what the build needs that Maven does not fetch itself. Idempotent; a no-op when
# everything is present. Today: a JDK 17+ and Maven 3.8+ (the GPU and Intel toolchains come with
# the backend modules that need them, each installed here when its module lands).
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi
java -version 2>&1 | sed -n 1p   # sed reads to the end: no SIGPIPE under pipefail
mvn -v 2>/dev/null | sed -n 1p
