#!/usr/bin/env bash
# Per-operator independent-runtime check of DeiT-tiny: where and by how much
# TFLite compiled to WebAssembly (npm @tensorflow/tfjs-tflite under Node)
# differs from potacc.
#
#   scripts/check_tfjs_per_op.sh [BUILD_DIR]
#
# For DeiT-tiny with the default GELU graph (tanh-ops) and with --gelu exact:
# potacc runs the model once on a real ImageNet crop (first image of
# $POTACC_DATA/imagenet_sample/crop224_every20th_u8_nhwc.bin, ImageNet mean/std;
# without the data a random normalised image) and dumps every activation
# tensor (`potacc run --dump-tensors`). Then every node is cut out into a
# single-op model (`potacc extract`) and run on the SAME int8 input tensors in
# potacc and in TFLite-wasm; the output codes are compared. The potacc run of
# the extracted node must reproduce the full-graph tensor byte for byte (the
# script fails otherwise). The whole model also runs end to end in both on the
# same image.
#
# Results in $OUT (default: a new temporary folder): per_node.csv (one row per
# node), per_op.csv / per_op.json (per model and operator type: nodes,
# outputs, exact %, within 1 LSB %, max |diff|, nodes that are all exact, the
# kernel TFLite-wasm ran), per_op.svg (exact % per operator type),
# end_to_end.csv. The npm package goes into $TFJS_DIR (default a temporary
# folder) outside the repository; nothing here runs in the default test suite.
# Needs node (>= 18) and npm; about 3 minutes on one core (docs/transformers.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export POTACC_SCRIPTS="$here"  # node -e snippets load tfjs_logits.js from here
build="${1:-$here/../build}"
# shellcheck source=tfjs_env.sh
source "$here/tfjs_env.sh"
tfjs_env check_tfjs_per_op "$build"
data="${POTACC_DATA:-$here/../../shared/data}"
crops="$data/imagenet_sample/crop224_every20th_u8_nhwc.bin"

echo "model,node,op,tfjs_kernel,outputs,exact,within_1_lsb,max_abs_lsb" > "$out/per_node.csv"
echo "model,input,outputs,exact,within_1_lsb,max_abs_lsb,top1_agrees" > "$out/end_to_end.csv"
for gelu in tanh-ops exact; do
  name="deit-tiny-gelu-$gelu"
  dir="$out/$name"
  mkdir -p "$dir/nodes" "$dir/potacc" "$dir/tfjs"
  model="$dir/model.tflite"
  "$potacc" gen deit-tiny --gelu "$gelu" -o "$model" >/dev/null
  "$potacc" info "$model" --json "$dir/info.json" >/dev/null
  if [[ -f "$crops" ]]; then
    head -c $((224 * 224 * 3)) "$crops" > "$dir/image.u8"
    input_name="ImageNet crop 0"
    "$potacc" run "$model" --pixels -i "$dir/image.u8" --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 \
      --dump-tensors "$dir/tensors" --save-output "$dir/potacc.model.raw" >/dev/null
    # The float input tensor potacc quantized, for the end-to-end run in TFLite-wasm.
    first_input="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).inputs[0].index)' "$dir/info.json")"
    if [[ -f "$dir/tensors/tensor_$first_input.raw" ]]; then cp "$dir/tensors/tensor_$first_input.raw" "$dir/input.raw"; fi
  else
    input_name="random normalised image"
    node -e '
      let s = 2654435761 >>> 0; const v = new Float32Array(224 * 224 * 3);
      for (let i = 0; i < v.length; ++i) { s = (s * 1664525 + 1013904223) >>> 0; v[i] = -2.1179 + 4.7579 * s / 4294967296; }
      require("fs").writeFileSync(process.argv[1], Buffer.from(v.buffer));' "$dir/input.raw"
    "$potacc" run "$model" -i "$dir/input.raw" --dump-tensors "$dir/tensors" --save-output "$dir/potacc.model.raw" >/dev/null
  fi

  # One line per node: index, then the tensor indices of its graph inputs once extracted
  # (the non-constant inputs in order, each once).
  node -e '
    const info = JSON.parse(require("fs").readFileSync(process.argv[1]));
    for (const n of info.nodes) {
      const ins = [];
      for (const t of n.inputs) if (t && !t.constant && !ins.includes(t.index)) ins.push(t.index);
      console.log([n.index, ...ins].join(" "));
    }' "$dir/info.json" > "$dir/plan.txt"
  total=$(wc -l < "$dir/plan.txt")
  echo "$name: extracting and running $total nodes in potacc"
  jobs="$dir/jobs.json"
  echo "[" > "$jobs"
  count=0
  start=$SECONDS
  while read -r n ins; do
    files=()
    for t in $ins; do files+=("$dir/tensors/tensor_$t.raw"); done
    "$potacc" extract "$model" --node "$n" -o "$dir/nodes/$n.tflite" >/dev/null
    args=()
    for f in "${files[@]}"; do args+=(-i "$f"); done
    "$potacc" run "$dir/nodes/$n.tflite" "${args[@]}" --save-output "$dir/potacc/$n.raw" >/dev/null
    list=$(printf '"%s",' "${files[@]}")
    [[ $count -gt 0 ]] && echo "," >> "$jobs"
    printf '{"model": "%s", "inputs": [%s], "out": "%s"}' "$dir/nodes/$n.tflite" "${list%,}" "$dir/tfjs/$n." >> "$jobs"
    count=$((count + 1))
    if (( count % 50 == 0 || count == total )); then printf '\r  %d/%d nodes (%d s)' "$count" "$total" $((SECONDS - start)); fi
  done < "$dir/plan.txt"
  echo
  printf ',\n{"model": "%s", "inputs": ["%s"], "out": "%s"}\n]\n' "$model" "$dir/input.raw" "$dir/tfjs/model." >> "$jobs"
  echo "$name: running the same $total single-op models and the whole model in TFLite-wasm"
  start=$SECONDS
  node "$here/tfjs_tflite_run.js" "$module" --jobs "$jobs" 2> >(grep -v "XNNPACK delegate for CPU" >&2)
  echo "  done in $((SECONDS - start)) s"

  node -e '
    const fs = require("fs");
    const [infoPath, dir, name, inputName, perNode, e2e] = process.argv.slice(1);
    const info = JSON.parse(fs.readFileSync(infoPath));
    const typed = (p, type) => {
      const b = Uint8Array.from(fs.readFileSync(p)).buffer;
      return type === "int8" ? new Int8Array(b) : type === "uint8" ? new Uint8Array(b)
           : type === "int32" ? new Int32Array(b) : type === "int16" ? new Int16Array(b) : new Float32Array(b);
    };
    // Output codes: int8/int16/int32 as they are; float32 in LSBs of the quantized
    // tensor it came from (DEQUANTIZE input) or of its own scale when it has one.
    const rows = [];
    for (const n of info.nodes) {
      const o = n.outputs[0];
      const full = typed(`${dir}/tensors/tensor_${o.index}.raw`, o.type);
      const mine = typed(`${dir}/potacc/${n.index}.raw`, o.type);
      const theirs = typed(`${dir}/tfjs/${n.index}.0.raw`, o.type);
      if (full.length !== mine.length || full.some((v, i) => v !== mine[i]))
        throw new Error(`${name}: node ${n.index} ${n.op}: the extracted model in potacc differs from the full-graph run`);
      if (theirs.length !== mine.length) throw new Error(`${name}: node ${n.index}: TFLite-wasm output has ${theirs.length} elements, potacc ${mine.length}`);
      let lsb = 1;
      if (o.type === "float32") {
        const q = (n.op === "DEQUANTIZE" ? n.inputs[0] : o).quantization;
        lsb = q && q.scale ? (Array.isArray(q.scale) ? q.scale[0] : q.scale) : 1;
      }
      let exact = 0, near = 0, worst = 0;
      for (let i = 0; i < mine.length; ++i) {
        const d = Math.abs(mine[i] - theirs[i]) / lsb;
        const r = Math.round(d * 1e6) / 1e6;
        exact += r === 0; near += r <= 1; worst = Math.max(worst, r);
      }
      // The profile names the node type that ran (XNNPACK takes a node as one delegate
      // node); it is sometimes empty, then the single node ran in a builtin kernel.
      const profile = fs.readFileSync(`${dir}/tfjs/${n.index}.profile.txt`, "utf8").split("\n").filter(Boolean);
      const kernel = profile.some((p) => /XNNPack/i.test(p)) ? "XNNPACK" : "builtin " + n.op;
      rows.push([name, n.index, n.op, kernel, mine.length, exact, near, worst].join(","));
    }
    fs.appendFileSync(perNode, rows.join("\n") + "\n");
    // End to end: the logits (DEQUANTIZE output) as int8 codes.
    const x = typed(`${dir}/potacc.model.raw`, "float32"), y = typed(`${dir}/tfjs/model.0.raw`, "float32");
    const { compareLogits } = require(process.env.POTACC_SCRIPTS + "/tfjs_logits.js");
    fs.appendFileSync(e2e, [name, inputName, ...compareLogits(info, x, y)].join(",") + "\n");
  ' "$dir/info.json" "$dir" "$name" "$input_name" "$out/per_node.csv" "$out/end_to_end.csv"
done

# Per model and operator type; JSON; the chart.
node -e '
  const fs = require("fs");
  const [perNode, csv, json, svg] = process.argv.slice(1);
  const lines = fs.readFileSync(perNode, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
  const groups = new Map();
  for (const [model, , op, kernel, outputs, exact, near, worst] of lines) {
    const key = model + "|" + op;
    const g = groups.get(key) || {model, op, nodes: 0, outputs: 0, exact: 0, within_1_lsb: 0, max_abs_lsb: 0, exact_nodes: 0, kernels: new Set()};
    g.nodes += 1; g.outputs += +outputs; g.exact += +exact; g.within_1_lsb += +near;
    g.max_abs_lsb = Math.max(g.max_abs_lsb, +worst); g.exact_nodes += +exact === +outputs; g.kernels.add(kernel);
    groups.set(key, g);
  }
  const pct = (a, b) => Math.round(1e6 * a / b) / 1e4;
  const rows = [...groups.values()].map((g) => ({model: g.model, op: g.op, nodes: g.nodes, exact_nodes: g.exact_nodes,
    outputs: g.outputs, exact_pct: pct(g.exact, g.outputs), within_1_lsb_pct: pct(g.within_1_lsb, g.outputs),
    max_abs_lsb: g.max_abs_lsb, tfjs_kernel: [...g.kernels].sort().join(" / ")}));
  const head = Object.keys(rows[0]);
  fs.writeFileSync(csv, [head.join(","), ...rows.map((r) => head.map((k) => r[k]).join(","))].join("\n") + "\n");
  fs.writeFileSync(json, JSON.stringify(rows, null, 1) + "\n");
  // Horizontal bars: exact % per operator type, one colour per model.
  const models = [...new Set(rows.map((r) => r.model))], ops = [...new Set(rows.map((r) => r.op))].sort();
  const colours = ["#3366aa", "#dd8833", "#55aa55"], barH = 9, rowH = barH * models.length + 6, left = 170, width = 400;
  const height = 40 + ops.length * rowH + 20 * models.length;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 80}" height="${height}" font-family="sans-serif" font-size="11">\n`;
  s += `<text x="4" y="14" font-size="13">DeiT-tiny, each node alone: potacc vs TFLite-wasm, exact output codes (%)</text>\n`;
  ops.forEach((op, i) => {
    const y0 = 28 + i * rowH;
    s += `<text x="${left - 6}" y="${y0 + rowH / 2 + 2}" text-anchor="end">${op}</text>\n`;
    models.forEach((m, j) => {
      const r = rows.find((x) => x.op === op && x.model === m);
      if (!r) return;
      const y = y0 + j * barH, w = width * r.exact_pct / 100;
      s += `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 1}" fill="${colours[j % 3]}"/>`;
      s += `<text x="${left + w + 3}" y="${y + barH - 2}" font-size="9">${r.exact_pct}</text>\n`;
    });
  });
  models.forEach((m, j) => {
    const y = height - 20 * (models.length - j) + 6;
    s += `<rect x="${left}" y="${y}" width="10" height="10" fill="${colours[j % 3]}"/><text x="${left + 14}" y="${y + 9}">${m}</text>\n`;
  });
  fs.writeFileSync(svg, s + "</svg>\n");
' "$out/per_node.csv" "$out/per_op.csv" "$out/per_op.json" "$out/per_op.svg"
column -s, -t "$out/per_op.csv"
echo
column -s, -t "$out/end_to_end.csv"
echo "results in $out (per_node.csv, per_op.csv, per_op.json, per_op.svg, end_to_end.csv)"
