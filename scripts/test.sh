#!/usr/bin/env bash
# Builds (if needed) and runs the whole test suite with CTest.
#   scripts/test.sh             Release build in ./build
#   scripts/test.sh --sanitize  AddressSanitizer + UBSan build in ./build-asan (without the
#                               label "slurm": the Slurm scale-out test runs once, in the Release run)
# Tests that need ../shared/data (POTACC_DATA points elsewhere), Verilator or
# Yosys skip with a message when these are absent -- and fail when CI=true
# (.ci/run sets it).
# Tests labelled `slow` (the whole ResNet-20 on the RTL) are left out; run
# them with `ctest --test-dir build -L slow`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  # -O1 -g1 (line tables only): what the sanitizers' reports need, at about half the compile time of -O2 -g.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
        -DPOTACC_SANITIZE=ON -DPOTACC_BUILD_BENCH=OFF -DPOTACC_BUILD_HW=OFF >/dev/null
  # Sanitized runs are ~5-10x slower: cap the images per real model.
  export POTACC_E2E_LIMIT="${POTACC_E2E_LIMIT:-20}"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  labels=(-LE 'slow|slurm')
else
  dir=build
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  labels=(-LE slow)
fi
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" --timeout 1500 "${labels[@]}"
