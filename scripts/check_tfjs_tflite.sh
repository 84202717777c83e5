#!/usr/bin/env bash
# Independent-runtime check of generated transformers: runs potacc's DeiT
# files in TFLite compiled to WebAssembly (npm @tensorflow/tfjs-tflite under
# Node) and compares every output with potacc's, as int8 codes of the
# dequantized output (exact share, within 1 LSB, max difference).
#
#   scripts/check_tfjs_tflite.sh [BUILD_DIR] [MODEL...]
#
# Default models: deit-tiny with exact GELU, tanh GELU and the tanh-ops form,
# and deit-small, two random normalised images each. The npm package is
# installed into a scratch folder outside the repository ($TFJS_DIR, default
# a new temporary folder); nothing here runs in the default test suite or CI.
# Needs node (>= 18) and npm. Results go to $OUT (default: a temporary folder)
# as results.csv / results.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export POTACC_SCRIPTS="$here"  # node -e snippets load tfjs_logits.js from here
build="${1:-$here/../build}"
shift || true
# shellcheck source=tfjs_env.sh
source "$here/tfjs_env.sh"
tfjs_env check_tfjs_tflite "$build"

models=("$@")
if [[ ${#models[@]} -eq 0 ]]; then
  "$potacc" gen deit-tiny --gelu exact -o "$out/deit-tiny.tflite" >/dev/null
  "$potacc" gen deit-tiny --gelu tanh -o "$out/deit-tiny-gelu-tanh.tflite" >/dev/null
  "$potacc" gen deit-tiny --gelu tanh-ops -o "$out/deit-tiny-gelu-tanh-ops.tflite" >/dev/null
  "$potacc" gen deit-small -o "$out/deit-small.tflite" >/dev/null
  models=("$out/deit-tiny.tflite" "$out/deit-tiny-gelu-tanh.tflite" "$out/deit-tiny-gelu-tanh-ops.tflite"
          "$out/deit-small.tflite")
fi

echo "model,image,outputs,exact,within_1_lsb,max_abs_lsb,top1_agrees" > "$out/results.csv"
for model in "${models[@]}"; do
  name="$(basename "$model" .tflite)"
  "$potacc" info "$model" --json "$out/$name.info.json" >/dev/null
  for image in 1 2; do
    # A normalised-image-like float input of the model's input shape.
    node -e '
      const fs = require("fs");
      const info = JSON.parse(fs.readFileSync(process.argv[1]));
      const n = info.inputs[0].shape.reduce((a, b) => a * b, 1);
      let s = Number(process.argv[3]) * 2654435761 >>> 0;
      const v = new Float32Array(n);
      for (let i = 0; i < n; ++i) { s = (s * 1664525 + 1013904223) >>> 0; v[i] = -2.1179 + 4.7579 * s / 4294967296; }
      fs.writeFileSync(process.argv[2], Buffer.from(v.buffer));
    ' "$out/$name.info.json" "$out/$name.in$image.raw" "$image"
    "$potacc" run "$model" -i "$out/$name.in$image.raw" --save-output "$out/$name.potacc$image.raw" >/dev/null
    node "$here/tfjs_tflite_run.js" "$module" "$model" "$out/$name.in$image.raw" -- "$out/$name.tfjs$image." 2>/dev/null
    node -e '
      const fs = require("fs");
      const [infoPath, a, b, name, image] = process.argv.slice(1);
      const info = JSON.parse(fs.readFileSync(infoPath));
      const read = (p) => new Float32Array(Uint8Array.from(fs.readFileSync(p)).buffer);
      const { compareLogits } = require(process.env.POTACC_SCRIPTS + "/tfjs_logits.js");
      console.log([name, image, ...compareLogits(info, read(a), read(b))].join(","));
    ' "$out/$name.info.json" "$out/$name.potacc$image.raw" "$out/$name.tfjs${image}.0.raw" "$name" "$image" >> "$out/results.csv"
  done
  sort -u "$out/$name.tfjs1.profile.txt" | tr '\n' ' ' | sed "s/^/$name: ops run by TFLite-wasm: /" >> "$out/profiles.txt"
  echo >> "$out/profiles.txt"
done
node -e '
  const fs = require("fs");
  const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n");
  const head = lines[0].split(",");
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [head[i], isNaN(v) ? v : Number(v)])));
  fs.writeFileSync(process.argv[2], JSON.stringify(rows, null, 2) + "\n");
' "$out/results.csv" "$out/results.json"
column -s, -t "$out/results.csv"
cat "$out/profiles.txt"
echo "results in $out (results.csv, results.json)"
