#!/usr/bin/env bash
# Installs what the build needs that Maven does not fetch itself. Idempotent; a no-op when
# everything is present. Today: a JDK 17+ and Maven 3.8+; gcc for the JNI shims (backend-xpu's; backend-cuda's
# too, where nvcc's cuda.h is there); for backend-xpu,
# clang-14 + llvm-spirv-14 + spirv-tools (its kernels to SPIR-V, checked by spirv-val), PoCL with
# the OpenCL ICD loader (its kernels' numerics run there on the CPU; ocl-icd-opencl-dev because JOCL
# dlopens the unversioned libOpenCL.so, which only that package ships) and libze1 + libze-dev (the
# Level Zero loader without any driver: the probe's "loader but no driver" case, and the headers
# the shim is compiled against). The GPU toolchains (nvcc) are not Debian packages: see README.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
# backend-xpu's Debian packages, each installed unless dpkg already has it.
for pkg in gcc clang-14 llvm-spirv-14 spirv-tools ocl-icd-libopencl1 ocl-icd-opencl-dev pocl-opencl-icd libze1 libze-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
java -version 2>&1 | sed -n 1p   # sed reads to the end: no SIGPIPE under pipefail
mvn -v 2>/dev/null | sed -n 1p
