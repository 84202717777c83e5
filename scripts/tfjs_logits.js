// The end-to-end comparison both TFLite-wasm checks report
// (check_tfjs_tflite.sh, check_tfjs_per_op.sh): potacc's and TFLite-wasm's
// float outputs x, y as int8 codes of the quantized tensor feeding the model's
// last DEQUANTIZE. Returns [outputs, exact, within 1 LSB, max |diff| in LSB,
// top-1 agrees].
"use strict";

function compareLogits(info, x, y) {
  const deq = info.nodes.filter((n) => n.op === "DEQUANTIZE").pop();
  const q = deq.inputs[0].quantization;
  const first = (v) => (Array.isArray(v) ? v[0] : v);
  const scale = first(q.scale), zp = first(q.zero_point);
  const code = (v) => Math.round(v / scale) + zp;
  let exact = 0, near = 0, worst = 0, ax = 0, ay = 0;
  for (let i = 0; i < x.length; ++i) {
    const d = Math.abs(code(x[i]) - code(y[i]));
    exact += d === 0; near += d <= 1; worst = Math.max(worst, d);
    if (x[i] > x[ax]) ax = i;
    if (y[i] > y[ay]) ay = i;
  }
  return [x.length, exact, near, worst, ax === ay];
}

module.exports = { compareLogits };
