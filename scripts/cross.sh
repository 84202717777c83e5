#!/usr/bin/env bash
# Cross-builds potacc for a board's ARM CPU with Debian's cross toolchain and
# optionally runs the emulated test subset under qemu-user.
#
#   scripts/cross.sh armhf            PYNQ-Z2 (Cortex-A9, 32-bit, NEON)  -> build-armhf/potacc
#   scripts/cross.sh aarch64          KV260 (Cortex-A53, 64-bit)         -> build-aarch64/potacc
#   scripts/cross.sh ARCH --test      also build and run the emulated tests (kernels, TFLite reader,
#                                     byte-exact end-to-end on a few images per model, device backend
#                                     against its register-level model)
#
# The binary is fully static (glibc, libstdc++ and everything else linked in):
# it runs on the boards' stock images whatever their glibc version.
set -euo pipefail
cd "$(dirname "$0")/.."
arch="${1:-}"
shift || true
run_tests=0
for a in "$@"; do
  case "$a" in
    --test) run_tests=1 ;;
    *) echo "cross.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
case "$arch" in
  armhf) compiler=g++-arm-linux-gnueabihf; qemu=qemu-arm ;;
  aarch64) compiler=g++-aarch64-linux-gnu; qemu=qemu-aarch64 ;;
  *) echo "usage: scripts/cross.sh armhf|aarch64 [--test]" >&2; exit 2 ;;
esac

./scripts/install-deps.sh "$compiler" qemu-user

dir="build-$arch"
jobs="$(nproc)"
cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="cmake/toolchain-$arch.cmake" -DCMAKE_BUILD_TYPE=Release \
      -DPOTACC_BUILD_BENCH=OFF -DPOTACC_BUILD_HW=OFF >/dev/null
# The emulated subset: one test executable per tests/ folder.
test_dirs=(kernels tflite e2e device)
targets=(potacc_cli)
if [ "$run_tests" = 1 ]; then
  for d in "${test_dirs[@]}"; do targets+=("potacc_${d}_tests"); done
fi
cmake --build "$dir" -j"$jobs" --target "${targets[@]}"
file "$dir/potacc"

if [ "$run_tests" = 1 ]; then
  # A few images per shared model keep the emulated end-to-end test short.
  export POTACC_E2E_LIMIT="${POTACC_E2E_LIMIT:-3}"
  labels="$(IFS='|'; echo "^(${test_dirs[*]})\$")"
  ctest --test-dir "$dir" -L "$labels" --output-on-failure -j"$jobs" --timeout 900
  if [ "$arch" = aarch64 ]; then
    # The KV260's A53 has no SDOT: emulate a core that has it for the dot-product kernels.
    echo "=== kernel tests on an emulated Armv8.2 core with the dot-product extension ==="
    "$qemu" -cpu max "$dir/tests/potacc_kernels_tests" --gtest_brief=1
  fi
fi
