// Runs .tflite files in TFLite compiled to WebAssembly (@tensorflow/tfjs-tflite,
// the plain non-SIMD, single-threaded build) under Node: reads raw input tensors
// (any type: float32, int8, ... — the bytes are copied as they are), writes raw
// output tensors and the profile (the operator type that ran each node; nodes
// taken by the XNNPACK delegate show as one "TfLiteXNNPackDelegate" entry).
//   node tfjs_tflite_run.js MODULE_DIR MODEL.tflite INPUT.raw... -- OUTPUT_PREFIX
//   node tfjs_tflite_run.js MODULE_DIR --jobs JOBS.json
// JOBS.json: [{"model": M, "inputs": [F, ...], "out": OUTPUT_PREFIX}, ...], all
// run in one process (one WebAssembly instance, each model with its own
// interpreter). Outputs go to OUTPUT_PREFIX<i>.raw, the profile to
// OUTPUT_PREFIXprofile.txt. MODULE_DIR is the node_modules/@tensorflow/tfjs-tflite
// folder of a scratch install (scripts/check_tfjs_tflite.sh makes one outside
// the repository).
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

async function loadModule(moduleDir) {
  const glue = fs.readFileSync(path.join(moduleDir, 'wasm', 'tflite_web_api_cc.js'), 'utf8');
  const context = {console, WebAssembly, TextDecoder, performance, setTimeout, clearTimeout};
  vm.createContext(context);
  vm.runInContext(glue + '\nthis.factory = tflite_web_api_ModuleFactory;', context);
  const wasmBinary = fs.readFileSync(path.join(moduleDir, 'wasm', 'tflite_web_api_cc.wasm'));
  return context.factory({wasmBinary});
}

function runModel(mod, modelPath, inputs, outPrefix) {
  const model = fs.readFileSync(modelPath);
  const ptr = mod._malloc(model.length);
  mod.HEAPU8.set(model, ptr);
  const created = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(
      ptr, model.length, {numThreads: 1, enableProfiling: true, maxProfilingBufferEntries: 4096});
  let runner = null;
  try {
    if (!created.ok()) throw new Error(`${modelPath}: TFLite could not create the interpreter: ${created.errorMessage()}`);
    runner = created.value();
    const vec = (v) => { const a = []; for (let i = 0; i < v.size(); ++i) a.push(v.get(i)); v.delete(); return a; };
    const ins = vec(runner.GetInputs());
    if (ins.length !== inputs.length) throw new Error(`${modelPath} has ${ins.length} inputs, got ${inputs.length} files`);
    ins.forEach((t, i) => {
      const dst = t.data();
      const src = fs.readFileSync(inputs[i]);
      if (src.length !== dst.byteLength) throw new Error(`${inputs[i]}: ${src.length} bytes, tensor needs ${dst.byteLength}`);
      new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(src);
    });
    if (!runner.Infer()) throw new Error(`${modelPath}: TFLite inference failed`);
    vec(runner.GetOutputs()).forEach((t, i) => {
      const d = t.data();
      fs.writeFileSync(`${outPrefix}${i}.raw`, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    });
    const profile = vec(runner.GetProfilingResults()).map((p) => p.nodeType);
    fs.writeFileSync(`${outPrefix}profile.txt`, profile.join('\n') + '\n');
  } finally {
    if (runner) runner.delete();
    created.delete();
    mod._free(ptr);
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 3 && args[1] === '--jobs') {
    const mod = await loadModule(args[0]);
    const jobs = JSON.parse(fs.readFileSync(args[2], 'utf8'));
    if (!Array.isArray(jobs)) throw new Error(`${args[2]}: expected a JSON array of jobs`);
    jobs.forEach((job, i) => {
      runModel(mod, job.model, job.inputs, job.out);
      if ((i + 1) % 50 === 0 || i + 1 === jobs.length) process.stderr.write(`\rtfjs_tflite_run: ${i + 1}/${jobs.length}`);
    });
    process.stderr.write('\n');
    return;
  }
  const sep = args.indexOf('--');
  if (args.length < 4 || sep < 0) throw new Error('usage: MODULE_DIR MODEL INPUT... -- OUTPUT_PREFIX | MODULE_DIR --jobs JOBS.json');
  const mod = await loadModule(args[0]);
  runModel(mod, args[1], args.slice(2, sep), args[sep + 1]);
}

main().catch((e) => { console.error('tfjs_tflite_run: ' + e.message); process.exit(1); });
