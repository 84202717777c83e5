// Runs a .tflite file in TFLite compiled to WebAssembly (@tensorflow/tfjs-tflite,
// the plain non-SIMD, single-threaded build) under Node: reads raw input tensors,
// writes raw output tensors and the profile (operator types per node).
//   node tfjs_tflite_run.js MODULE_DIR MODEL.tflite INPUT.raw... -- OUTPUT_PREFIX
// MODULE_DIR is the node_modules/@tensorflow/tfjs-tflite folder of a scratch
// install (scripts/check_tfjs_tflite.sh makes one outside the repository).
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

async function main() {
  const args = process.argv.slice(2);
  const sep = args.indexOf('--');
  if (args.length < 4 || sep < 0) throw new Error('usage: MODULE_DIR MODEL INPUT... -- OUTPUT_PREFIX');
  const [moduleDir, modelPath] = args;
  const inputs = args.slice(2, sep);
  const outPrefix = args[sep + 1];
  const glue = fs.readFileSync(path.join(moduleDir, 'wasm', 'tflite_web_api_cc.js'), 'utf8');
  const context = {console, WebAssembly, TextDecoder, performance, setTimeout, clearTimeout};
  vm.createContext(context);
  vm.runInContext(glue + '\nthis.factory = tflite_web_api_ModuleFactory;', context);
  const wasmBinary = fs.readFileSync(path.join(moduleDir, 'wasm', 'tflite_web_api_cc.wasm'));
  const mod = await context.factory({wasmBinary});
  const model = fs.readFileSync(modelPath);
  const ptr = mod._malloc(model.length);
  mod.HEAPU8.set(model, ptr);
  const created = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(
      ptr, model.length, {numThreads: 1, enableProfiling: true, maxProfilingBufferEntries: 4096});
  if (!created.ok()) throw new Error('TFLite could not create the interpreter: ' + created.errorMessage());
  const runner = created.value();
  const vec = (v) => { const a = []; for (let i = 0; i < v.size(); ++i) a.push(v.get(i)); v.delete(); return a; };
  const ins = vec(runner.GetInputs());
  if (ins.length !== inputs.length) throw new Error(`model has ${ins.length} inputs, got ${inputs.length} files`);
  ins.forEach((t, i) => {
    const dst = t.data();
    const src = fs.readFileSync(inputs[i]);
    if (src.length !== dst.byteLength) throw new Error(`${inputs[i]}: ${src.length} bytes, tensor needs ${dst.byteLength}`);
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(src);
  });
  if (!runner.Infer()) throw new Error('TFLite inference failed');
  vec(runner.GetOutputs()).forEach((t, i) => {
    const d = t.data();
    fs.writeFileSync(`${outPrefix}${i}.raw`, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  });
  const profile = vec(runner.GetProfilingResults()).map((p) => p.nodeType);
  fs.writeFileSync(`${outPrefix}profile.txt`, profile.join('\n') + '\n');
}

main().catch((e) => { console.error('tfjs_tflite_run: ' + e.message); process.exit(1); });
