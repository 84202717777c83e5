#!/usr/bin/env bash
# Emulated CPU time of one inference on the board builds, NEON vs the portable
# kernels (POTACC_ISA), under qemu-user. Emulated time is NOT board time: qemu
# translates each guest instruction into several host ones, with costs unlike
# an in-order Cortex-A9 or A53 pipeline. It is a rough instruction-count proxy.
#
#   scripts/emulated-bench.sh MODEL [runs]      (after scripts/cross.sh armhf / aarch64)
# Prints, and writes emulated-bench.csv: arch, qemu cpu, isa, user seconds per inference.
set -euo pipefail
cd "$(dirname "$0")/.."
model="$1"
runs="${2:-3}"
out=emulated-bench.csv
echo "arch,qemu_cpu,isa,user_s_per_inference" > "$out.tmp"
measure() {  # arch qemu cpu isa
  local arch="$1" qemu="$2" cpu="$3" isa="$4" t0 t1
  t0=$( { TIMEFORMAT=%U; time POTACC_ISA="$isa" "$qemu" -cpu "$cpu" "build-$arch/potacc" run "$model" --scale01 --repeat 1 >/dev/null; } 2>&1 )
  t1=$( { TIMEFORMAT=%U; time POTACC_ISA="$isa" "$qemu" -cpu "$cpu" "build-$arch/potacc" run "$model" --scale01 \
          --repeat "$((runs + 1))" >/dev/null; } 2>&1 )
  # (runs + 1) inferences minus one: subtracts loading and preparing the model.
  local per
  per=$(awk -v a="$t0" -v b="$t1" -v n="$runs" 'BEGIN { printf "%.3f", (b - a) / n }')
  echo "$arch,$cpu,$isa,$per" | tee -a "$out.tmp"
}
for isa in neon portable; do
  [ -x build-armhf/potacc ] && measure armhf qemu-arm cortex-a9 "$isa"
  [ -x build-aarch64/potacc ] && measure aarch64 qemu-aarch64 cortex-a53 "$isa"
done
mv "$out.tmp" "$out"
echo "wrote $out"
