// Runs an int8 graph on Debian's XNNPACK (libxnnpack-dev), single-threaded,
// for the side-by-side benchmark of scripts/bench_vs_xnnpack.py. Not part of
// potacc's build: the script compiles it.
//
// The graph comes as text on stdin, one operator per line, in execution
// order (the script writes it from `potacc info --json` of the model, so
// both run the same shapes); tensors are numbered as in the model:
//   quantize   OUT IN  pixels channels  out_scale out_zp
//   pad        OUT IN  h w c  top bottom left right  zp
//   conv       OUT IN  h w c  out_c kh kw stride  top bottom left right  in_scale in_zp out_scale out_zp
//   depthwise  OUT IN  h w c  kh kw stride  top bottom left right  in_scale in_zp out_scale out_zp
//   add        OUT IN1 IN2 elements  s1 zp1 s2 zp2 out_scale out_zp
//   mean       OUT IN  pixels channels  in_scale in_zp out_scale out_zp
//   fc         OUT IN  in_c out_c  in_scale in_zp out_scale out_zp
//   softmax    OUT IN  elements  in_scale
//   dequantize OUT IN  elements  in_scale in_zp
// Weights and biases are random (fixed seed), per-channel scales for conv.
//
// Usage: xnnpack_graph WARMUP RUNS < graph.txt
// Prints the wall-clock and thread-CPU time of each timed inference (ms).
#include <pthreadpool.h>
#include <time.h>
#include <xnnpack.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "xnnpack_graph: %s\n", what.c_str());
  std::exit(1);
}

void CheckStatus(xnn_status s, const std::string& what) {
  if (s != xnn_status_success) Fail(what + " failed (status " + std::to_string(static_cast<int>(s)) + ")");
}

double Now(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

std::mt19937 rng(7);

std::vector<int8_t> RandomWeights(size_t n) {
  std::uniform_int_distribution<int> d(-127, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

std::vector<int32_t> RandomBias(size_t n) {
  std::uniform_int_distribution<int> d(-5000, 5000);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

std::vector<float> KernelScales(size_t n) {
  std::uniform_real_distribution<float> d(0.002f, 0.02f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

int8_t Zp(double zp) { return static_cast<int8_t>(zp); }

class Graph {
 public:
  void Add(const std::string& line);
  void Run() {
    for (xnn_operator_t op : ops_) CheckStatus(xnn_run_operator(op, nullptr), "xnn_run_operator");
  }

 private:
  int8_t* I8(int tensor, size_t bytes) { return reinterpret_cast<int8_t*>(Buffer(tensor, bytes)); }
  float* F32(int tensor, size_t count) { return reinterpret_cast<float*>(Buffer(tensor, count * sizeof(float))); }
  uint8_t* Buffer(int tensor, size_t bytes) {
    auto& b = buffers_[tensor];
    if (b.size() < bytes + 64) b.resize(bytes + 64, 0);
    return b.data();
  }
  void Conv(std::istringstream& in, int out, int src, bool depthwise);

  std::map<int, std::vector<uint8_t>> buffers_;
  std::vector<std::vector<int8_t>> weights_;
  std::vector<std::vector<int32_t>> biases_;
  std::vector<std::vector<float>> scales_;
  std::vector<xnn_operator_t> ops_;
};

void Graph::Conv(std::istringstream& in, int out, int src, bool depthwise) {
  size_t h, w, c, oc, kh, kw, stride, top, bottom, left, right;
  double in_scale, in_zp, out_scale, out_zp;
  in >> h >> w >> c;
  if (depthwise) {
    in >> kh >> kw >> stride;
    oc = c;
  } else {
    in >> oc >> kh >> kw >> stride;
  }
  in >> top >> bottom >> left >> right >> in_scale >> in_zp >> out_scale >> out_zp;
  if (!in) Fail("bad conv line");
  const size_t groups = depthwise ? c : 1, group_in = depthwise ? 1 : c, group_out = depthwise ? 1 : oc;
  weights_.push_back(RandomWeights(oc * kh * kw * group_in));
  biases_.push_back(RandomBias(oc));
  scales_.push_back(KernelScales(oc));
  xnn_operator_t op = nullptr;
  CheckStatus(xnn_create_convolution2d_nhwc_qc8(
                  static_cast<uint32_t>(top), static_cast<uint32_t>(right), static_cast<uint32_t>(bottom),
                  static_cast<uint32_t>(left), static_cast<uint32_t>(kh), static_cast<uint32_t>(kw),
                  static_cast<uint32_t>(stride), static_cast<uint32_t>(stride), 1, 1, static_cast<uint32_t>(groups),
                  group_in, group_out, c, oc, Zp(in_zp), static_cast<float>(in_scale), scales_.back().data(),
                  weights_.back().data(), biases_.back().data(), Zp(out_zp), static_cast<float>(out_scale), -128,
                  127, 0, &op),
              "create convolution");
  const size_t oh = (h + top + bottom - kh) / stride + 1, ow = (w + left + right - kw) / stride + 1;
  CheckStatus(xnn_setup_convolution2d_nhwc_qc8(op, 1, h, w, I8(src, h * w * c), I8(out, oh * ow * oc), nullptr),
              "setup convolution");
  ops_.push_back(op);
}

void Graph::Add(const std::string& line) {
  std::istringstream in(line);
  std::string kind;
  int out = 0, src = 0;
  in >> kind >> out >> src;
  if (!in) Fail("bad line: " + line);
  xnn_operator_t op = nullptr;
  if (kind == "conv" || kind == "depthwise") {
    Conv(in, out, src, kind == "depthwise");
    return;
  }
  if (kind == "quantize") {
    size_t pixels, channels;
    double scale, zp;
    in >> pixels >> channels >> scale >> zp;
    CheckStatus(xnn_create_convert_nc_f32_qs8(channels, channels, channels, static_cast<float>(scale), Zp(zp),
                                              -128, 127, 0, &op),
                "create quantize");
    CheckStatus(xnn_setup_convert_nc_f32_qs8(op, pixels, F32(src, pixels * channels), I8(out, pixels * channels),
                                             nullptr),
                "setup quantize");
  } else if (kind == "pad") {
    size_t h, w, c, top, bottom, left, right;
    double zp;
    in >> h >> w >> c >> top >> bottom >> left >> right >> zp;
    static int8_t value;
    value = Zp(zp);
    CheckStatus(xnn_create_constant_pad_nd_x8(&value, 0, &op), "create pad");
    const size_t shape[4] = {1, h, w, c}, pre[4] = {0, top, left, 0}, post[4] = {0, bottom, right, 0};
    CheckStatus(xnn_setup_constant_pad_nd_x8(op, 4, shape, pre, post, I8(src, h * w * c),
                                             I8(out, (h + top + bottom) * (w + left + right) * c), nullptr),
                "setup pad");
  } else if (kind == "add") {
    int src2 = 0;
    size_t n;
    double s1, zp1, s2, zp2, so, zpo;
    in >> src2 >> n >> s1 >> zp1 >> s2 >> zp2 >> so >> zpo;
    CheckStatus(xnn_create_add_nd_qs8(Zp(zp1), static_cast<float>(s1), Zp(zp2), static_cast<float>(s2), Zp(zpo),
                                      static_cast<float>(so), -128, 127, 0, &op),
                "create add");
    const size_t shape[1] = {n};
    CheckStatus(xnn_setup_add_nd_qs8(op, 1, shape, 1, shape, I8(src, n), I8(src2, n), I8(out, n), nullptr),
                "setup add");
  } else if (kind == "mean") {
    size_t pixels, channels;
    double si, zpi, so, zpo;
    in >> pixels >> channels >> si >> zpi >> so >> zpo;
    CheckStatus(xnn_create_global_average_pooling_nwc_qs8(channels, channels, channels, Zp(zpi),
                                                          static_cast<float>(si), Zp(zpo), static_cast<float>(so),
                                                          -128, 127, 0, &op),
                "create mean");
    CheckStatus(xnn_setup_global_average_pooling_nwc_qs8(op, 1, pixels, I8(src, pixels * channels),
                                                         I8(out, channels), nullptr),
                "setup mean");
  } else if (kind == "fc") {
    size_t ic, oc;
    double si, zpi, so, zpo;
    in >> ic >> oc >> si >> zpi >> so >> zpo;
    weights_.push_back(RandomWeights(ic * oc));
    biases_.push_back(RandomBias(oc));
    CheckStatus(xnn_create_fully_connected_nc_qs8(ic, oc, ic, oc, Zp(zpi), static_cast<float>(si), 0.01f,
                                                  weights_.back().data(), biases_.back().data(), Zp(zpo),
                                                  static_cast<float>(so), -128, 127, 0, &op),
                "create fully connected");
    CheckStatus(xnn_setup_fully_connected_nc_qs8(op, 1, I8(src, ic), I8(out, oc), nullptr),
                "setup fully connected");
  } else if (kind == "softmax") {
    // XNNPACK of this vintage has softmax for uint8 only: same work on the
    // same bytes (the output is 1/256-scaled as XNNPACK requires).
    size_t n;
    double si;
    in >> n >> si;
    CheckStatus(xnn_create_softmax_nc_qu8(n, n, n, static_cast<float>(si), 0, 1.0f / 256.0f, 0, &op),
                "create softmax");
    CheckStatus(xnn_setup_softmax_nc_qu8(op, 1, reinterpret_cast<uint8_t*>(I8(src, n)),
                                         reinterpret_cast<uint8_t*>(I8(out, n)), nullptr),
                "setup softmax");
  } else if (kind == "dequantize") {
    size_t n;
    double si, zpi;
    in >> n >> si >> zpi;
    CheckStatus(xnn_create_convert_nc_qs8_f32(n, n, n, static_cast<float>(si), Zp(zpi), 0, &op),
                "create dequantize");
    CheckStatus(xnn_setup_convert_nc_qs8_f32(op, 1, I8(src, n), F32(out, n), nullptr), "setup dequantize");
  } else {
    Fail("unknown operator '" + kind + "'");
  }
  if (!in) Fail("bad line: " + line);
  ops_.push_back(op);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) Fail("usage: xnnpack_graph WARMUP RUNS < graph.txt");
  const int warmup = std::atoi(argv[1]), runs = std::atoi(argv[2]);
  CheckStatus(xnn_initialize(nullptr), "xnn_initialize");
  Graph g;
  std::string line;
  int lines = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty() || line[0] == '#') continue;
    g.Add(line);
    ++lines;
  }
  if (lines == 0) Fail("empty graph");
  for (int i = 0; i < warmup; ++i) g.Run();
  std::printf("operators %d\n", lines);
  for (int i = 0; i < runs; ++i) {
    const double wall0 = Now(CLOCK_MONOTONIC), cpu0 = Now(CLOCK_THREAD_CPUTIME_ID);
    g.Run();
    const double cpu = Now(CLOCK_THREAD_CPUTIME_ID) - cpu0, wall = Now(CLOCK_MONOTONIC) - wall0;
    std::printf("inference %.4f %.4f\n", wall, cpu);
  }
  return 0;
}
