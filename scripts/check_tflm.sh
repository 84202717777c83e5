#!/usr/bin/env bash
# Runs potacc's generated models through TensorFlow Lite Micro's reference
# kernels and compares every output byte, and every activation tensor, with
# potacc's: the check reviewers make, repeatable here.
#
#   scripts/check_tflm.sh TFLM_DIR GEMMLOWP_DIR RUY_DIR [MODEL...]
#
# TFLM_DIR, GEMMLOWP_DIR, RUY_DIR: source trees of tensorflow/tflite-micro,
# google/gemmlowp and google/ruy (checked out by you; nothing is downloaded).
# Needs g++, python3 and Debian's flatc (apt-get install flatbuffers-compiler):
# the tree's schema header is generated for another flatbuffers version, so it
# is regenerated from schema.fbs into the build folder (the tree is not
# touched). MODEL: potacc generator names (default: deit-tiny mobilenetv2
# resnet18 inceptionv1 resnet20 deit-small) or .tflite files with one float32
# input. Three normalised-image-like inputs per model. Build and results go to
# $OUT (default build/tflm-check): tflm_run, results.csv, results.json.
# Exit status 1 when any output byte differs or TFLite Micro fails.
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,17p' "$0" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
tflm="$(cd "$1" && pwd)"; gemmlowp="$(cd "$2" && pwd)"; ruy="$(cd "$3" && pwd)"
shift 3
potacc="${POTACC:-$root/build/potacc}"
out="${OUT:-$root/build/tflm-check}"
[[ -x "$potacc" ]] || { echo "check_tflm: $potacc not found (build first)" >&2; exit 1; }
command -v flatc >/dev/null || { echo "check_tflm: needs flatc (apt-get install flatbuffers-compiler)" >&2; exit 1; }
mkdir -p "$out/gen/tensorflow/lite/schema" "$out/models"

# flatc 2.0.8 does not take the "(deprecated)" attribute on an enum value, a
# union member or a table; values and field ids stay as they are.
fbs="$tflm/tensorflow/compiler/mlir/lite/schema/schema.fbs"
[[ -f "$fbs" ]] || fbs="$tflm/tensorflow/lite/schema/schema.fbs"
sed -e 's/^\(\s*[A-Z_]* = [0-9]*\) (deprecated),/\1,/' -e 's/^\(\s*[A-Za-z]*Options\) (deprecated),/\1,/' \
    -e 's/^table \([A-Za-z]*\) (deprecated) {/table \1 {/' "$fbs" > "$out/gen/schema.fbs"
flatc --cpp --gen-object-api -o "$out/gen/tensorflow/lite/schema" "$out/gen/schema.fbs"
echo "building TFLite Micro's reference kernels (a few minutes once)..."
make -s -C "$out" -f "$root/tools/tflm_check/Makefile" -j"$(nproc)" TFLM="$tflm" GEMMLOWP="$gemmlowp" RUY="$ruy" \
  GEN="$out/gen" tflm_run

models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(deit-tiny mobilenetv2 resnet18 inceptionv1 resnet20 deit-small)
status=0
echo "model,input,outputs,exact,tensors,tensors_identical,first_differing_tensor" > "$out/results.csv"
for m in "${models[@]}"; do
  if [[ -f "$m" ]]; then file="$m"; else file="$out/models/$m.tflite"; "$potacc" gen "$m" -o "$file" >/dev/null; fi
  name="$(basename "$file" .tflite)"
  "$potacc" info "$file" --json "$out/models/$name.info.json" >/dev/null
  for i in 0 1 2; do
    w="$out/run/$name.$i"; rm -rf "$w"; mkdir -p "$w/potacc" "$w/tflm"
    python3 "$root/tools/tflm_check/compare.py" input "$out/models/$name.info.json" "$i" "$w/in.raw"
    "$potacc" run "$file" -i "$w/in.raw" --save-output "$w/potacc.raw" --dump-tensors "$w/potacc" >/dev/null
    if ! "$out/tflm_run" "$file" "$w/in.raw" "$w/tflm.raw" --dump "$w/tflm" --arena-mb 512; then
      echo "$name input $i: TFLite Micro failed (see above)"; echo "$name,$i,,failed,,," >> "$out/results.csv"
      status=1; continue
    fi
    python3 "$root/tools/tflm_check/compare.py" compare "$name" "$i" "$w" >> "$out/results.csv" || status=1
    tail -n 1 "$out/results.csv"
  done
done
python3 "$root/tools/tflm_check/compare.py" json "$out/results.csv" "$out/results.json"
echo "results in $out (results.csv, results.json)"
exit $status
