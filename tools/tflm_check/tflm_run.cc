// Minimal host harness: run a .tflite model through TensorFlow Lite Micro's reference kernels.
// Usage: tflm_run MODEL.tflite IN.raw[,IN2.raw...] OUT.raw [--dump DIR] [--arena-mb N]
#include <csignal>
#include <cstdio>
#include <unistd.h>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

static std::vector<char> ReadFile(const std::string& p) {
  std::vector<char> v;
  FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) { std::fprintf(stderr, "tflm_run: cannot open %s\n", p.c_str()); std::exit(2); }
  std::fseek(f, 0, SEEK_END);
  long n = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  v.resize(n);
  if (n && std::fread(v.data(), 1, n, f) != (size_t)n) { std::fprintf(stderr, "read fail %s\n", p.c_str()); std::exit(2); }
  std::fclose(f);
  return v;
}
static void WriteFile(const std::string& p, const void* d, size_t n) {
  FILE* f = std::fopen(p.c_str(), "wb");
  if (!f || std::fwrite(d, 1, n, f) != n) { std::fprintf(stderr, "tflm_run: cannot write %s\n", p.c_str()); std::exit(2); }
  std::fclose(f);
}
static size_t EvalBytes(const TfLiteEvalTensor* t) {
  size_t n = 1;
  for (int i = 0; i < t->dims->size; ++i) n *= t->dims->data[i];
  size_t es = 1;
  switch (t->type) {
    case kTfLiteFloat32: case kTfLiteInt32: es = 4; break;
    case kTfLiteInt16: es = 2; break;
    case kTfLiteInt64: es = 8; break;
    default: es = 1;
  }
  return n * es;
}

static void Dump(const tflite::Model* model, tflite::MicroInterpreter& interp, const std::string& dump) {
    auto* sg = model->subgraphs()->Get(0);
    std::string js = "[\n";
    bool first = true;
    for (uint32_t op = 0; op < sg->operators()->size(); ++op) {
      auto* outs = sg->operators()->Get(op)->outputs();
      for (uint32_t k = 0; k < outs->size(); ++k) {
        int ti = outs->Get(k);
        TfLiteEvalTensor* et = interp.GetTensor(ti);
        if (!et || !et->data.raw) continue;
        size_t n = EvalBytes(et);
        WriteFile(dump + "/tensor_" + std::to_string(ti) + ".raw", et->data.raw, n);
        char buf[128];
        std::snprintf(buf, sizeof buf, "%s{\"op\": %u, \"tensor\": %d, \"bytes\": %zu}", first ? "" : ",\n", op, ti, n);
        js += buf; first = false;
      }
    }
    js += "\n]\n";
    WriteFile(dump + "/tensors.json", js.data(), js.size());
  }

static const tflite::Model* g_model; static tflite::MicroInterpreter* g_interp; static std::string g_dump;
static void OnAbort(int) {
  // a kernel hit TFLITE_CHECK/abort: dump what the preserved arena holds (diagnostic only), then exit 3
  std::fprintf(stderr, "tflm_run: abort() inside Invoke\n");
  if (!g_dump.empty()) Dump(g_model, *g_interp, g_dump);
  _exit(3);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: tflm_run MODEL.tflite IN.raw[,IN2.raw...] OUT.raw [--dump DIR] [--arena-mb N]\n");
    return 2;
  }
  std::string dump;
  size_t arena_mb = 64;
  for (int i = 4; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--dump") && i + 1 < argc) dump = argv[++i];
    else if (!std::strcmp(argv[i], "--arena-mb") && i + 1 < argc) arena_mb = std::strtoul(argv[++i], nullptr, 10);
  }
  std::vector<char> model_bytes = ReadFile(argv[1]);
  const tflite::Model* model = tflite::GetModel(model_bytes.data());

  static tflite::MicroMutableOpResolver<40> r;
  r.AddAdd(); r.AddSub(); r.AddMul(); r.AddFullyConnected(); r.AddBatchMatMul(); r.AddTranspose();
  r.AddSoftmax(); r.AddMean(); r.AddSquaredDifference(); r.AddRsqrt(); r.AddTanh(); r.AddGather();
  r.AddConcatenation(); r.AddReshape(); r.AddConv2D(); r.AddDepthwiseConv2D(); r.AddQuantize();
  r.AddDequantize(); r.AddAveragePool2D(); r.AddMaxPool2D(); r.AddPad(); r.AddLogistic(); r.AddRelu();
  r.AddRelu6(); r.AddHardSwish(); r.AddStridedSlice(); r.AddShape(); r.AddPack(); r.AddExpandDims();
  r.AddSqueeze(); r.AddSum();

  size_t arena_size = arena_mb << 20;
  uint8_t* arena = static_cast<uint8_t*>(std::aligned_alloc(16, arena_size));
  tflite::MicroInterpreter interp(model, r, arena, arena_size, nullptr, nullptr, !dump.empty());
  if (interp.AllocateTensors() != kTfLiteOk) { std::fprintf(stderr, "tflm_run: AllocateTensors failed\n"); return 1; }

  std::vector<std::string> ins;
  {
    std::string s = argv[2];
    size_t p = 0;
    while (true) { size_t c = s.find(',', p); ins.push_back(s.substr(p, c - p)); if (c == std::string::npos) break; p = c + 1; }
  }
  if (ins.size() != interp.inputs_size()) { std::fprintf(stderr, "tflm_run: model has %zu inputs, got %zu\n", interp.inputs_size(), ins.size()); return 2; }
  for (size_t i = 0; i < ins.size(); ++i) {
    std::vector<char> d = ReadFile(ins[i]);
    TfLiteTensor* t = interp.input(i);
    if (d.size() != t->bytes) { std::fprintf(stderr, "tflm_run: input %zu has %zu bytes, tensor needs %zu\n", i, d.size(), t->bytes); return 2; }
    std::memcpy(t->data.raw, d.data(), d.size());
  }
  g_model = model; g_interp = &interp; g_dump = dump; std::signal(SIGABRT, OnAbort);
  if (interp.Invoke() != kTfLiteOk) { std::fprintf(stderr, "tflm_run: Invoke failed\n"); return 1; }
  TfLiteTensor* o = interp.output(0);
  WriteFile(argv[3], o->data.raw, o->bytes);

  if (!dump.empty()) Dump(model, interp, dump);
  // arena intentionally not freed: the interpreter (destroyed at return) still references it
  return 0;
}
