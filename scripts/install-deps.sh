#!/usr/bin/env bash
# Installs potacc's build and test dependencies from Debian packages.
#   scripts/install-deps.sh            build and test dependencies
#   scripts/install-deps.sh --bench    also XNNPACK, for scripts/bench_vs_xnnpack.py
#                                      (not part of the build or CI)
#   scripts/install-deps.sh PKG...     also the packages named (scripts/cross.sh
#                                      adds its cross compiler and qemu-user)
set -euo pipefail
PACKAGES=(
  build-essential cmake ccache pkg-config
  flatbuffers-compiler libflatbuffers-dev
  libcli11-dev nlohmann-json3-dev libstb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  verilator yosys jq
  slurm-wlm munge
)
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(libxnnpack-dev libpthreadpool-dev python3 util-linux)
  shift
fi
PACKAGES+=("$@")
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
