#include "potacc/accel/delegate.h"

#include "potacc/accel/matmul.h"
#include "potacc/error.h"

namespace potacc::accel {

struct AcceleratorDelegate::State {
  const Model* model = nullptr;
  AcceleratorConfig config;
  std::vector<NodePlacement> placements;
  std::vector<GemmLowering> lowering;  // per node (accelerated nodes only meaningful)
  std::vector<PreparedGemm> prepared;  // per node
  std::unique_ptr<Backend> backend;
  AccelRun run;
};

namespace {

std::string AcceptedList(const AcceleratorConfig& c) {
  std::string s;
  for (BuiltinOp op : c.accepted_ops) s += (s.empty() ? "" : ", ") + BuiltinOpName(op);
  return s;
}

int FirstConvNode(const Model& model) {
  const auto& ops = model.main().operators;
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].op() == BuiltinOp::kConv2D) return static_cast<int>(i);
  return -1;
}

// Decides one node; fills lowering/prepared for accelerated ones.
// shape_only: the weights are not encoded (data-free timing, PrepareLayer).
NodePlacement Decide(const Model& model, const AcceleratorConfig& config, int node, int first_conv,
                     GemmLowering* lowering, PreparedGemm* prepared, bool shape_only = false) {
  const Operator& op = model.main().operators.at(node);
  NodePlacement p;
  p.node = node;
  p.builtin = op.builtin;
  if (!config.Accepts(op.builtin)) {
    p.reason = BuiltinOpName(op.builtin) + " not accepted by " + config.name + " (accepts " + AcceptedList(config) + ")";
    return p;
  }
  if (config.first_conv_on_cpu && node == first_conv) {
    p.reason = "first CONV_2D stays on the CPU (first_conv_on_cpu, reference §5.1)";
    return p;
  }
  *lowering = LowerNode(model, node);
  if (!lowering->ok()) {
    p.reason = lowering->refused;
    return p;
  }
  if (lowering->matmul) {  // both operands are activations: the operand policy of the method
    if (std::string why = PlanMatMulOperand(config, lowering); !why.empty()) {
      p.reason = why;
      return p;
    }
    shape_only = true;  // the operand is packed at run time
  }
  *prepared = PrepareLayer(config, *lowering, shape_only);
  if (!prepared->ok()) {
    p.reason = prepared->refused;
    return p;
  }
  p.on_accel = true;
  return p;
}

// What one execution of an accelerated layer measured.
void RecordRun(const AcceleratorConfig& config, const Backend& backend, const HostWork& host, LayerStats& L) {
  const SimStats& st = backend.stats();
  L.cycles = st.cycles;
  L.units = st.units;
  if (const SimStats* model = backend.model_stats()) {  // a backend that counts its own cycles (RTL)
    L.has_model_cycles = true;
    L.model_cycles = model->cycles;
  }
  L.host = host;
  L.bytes_to_accel = 4 * st.words_in;
  L.bytes_from_accel = 4 * st.words_out;
  L.dispatch_epilogue_words = st.dispatch_epilogue_words;
  const double peak = static_cast<double>(config.peak_macs_per_cycle());
  const double macs = static_cast<double>(L.macs());
  L.utilization = L.cycles.total() > 0 ? macs / (static_cast<double>(L.cycles.total()) * peak) : 0;
  L.compute_utilization = L.cycles.compute > 0 ? macs / (static_cast<double>(L.cycles.compute) * peak) : 0;
  ++L.invocations;
}

// The per-node facts known before any inference (placement, GEMM view, tiling).
LayerStats StaticLayerStats(const AcceleratorConfig& config, const NodePlacement& p, const GemmLowering& g,
                            const PreparedGemm& pg) {
  LayerStats L;
  L.node = p.node;
  L.op = BuiltinOpName(p.builtin);
  L.device = p.on_accel ? "accel" : "cpu";
  L.reason = p.reason;
  if (!p.on_accel) return L;
  L.m = g.m;
  L.n = g.n;
  L.k = g.k;
  L.rk = pg.plan.rk;
  L.rn = pg.plan.rn;
  L.rm = pg.plan.rm;
  L.k_chunks = pg.plan.chunks;
  L.col_inc = pg.plan.col_inc;
  L.row_inc = pg.plan.row_inc;
  L.row_tiles = pg.plan.row_tiles();
  L.col_tiles = pg.plan.col_tiles();
  L.weight_loads = pg.plan.weight_loads();
  L.preload_weight_bytes = pg.weights->bytes();
  if (g.matmul) {  // one GEMM per batch; the operand is never preloaded
    const int64_t b = g.batches();
    L.m *= b;
    L.row_tiles *= b;
    L.weight_loads *= b;
    L.preload_weight_bytes = 0;
  }
  L.units.assign(static_cast<size_t>(config.units), {});
  return L;
}

// Run-level fields of an AccelRun.
AccelRun EmptyRun(const AcceleratorConfig& config, const std::string& backend) {
  AccelRun run;
  run.config_name = config.name;
  run.backend = backend;
  run.pe_method = std::string(config.method->name);
  run.board = config.board;
  run.units = config.units;
  run.clock_hz = config.clock_hz;
  run.peak_macs_per_cycle = config.peak_macs_per_cycle();
  run.host_overlap = config.host_overlap();
  return run;
}

class AccelGemmKernel : public OpKernel {
 public:
  AccelGemmKernel(std::shared_ptr<AcceleratorDelegate::State> state, int node) : state_(std::move(state)), node_(node) {}

  void Prepare(OpContext& ctx) override {
    const GemmLowering& g = state_->lowering[node_];
    if (g.matmul) {
      ctx.Require(ctx.output_slot(0).bytes == static_cast<size_t>(g.batches() * g.m * g.n),
                  "output size does not match the lowered BATCH_MATMUL");
      return;
    }
    ctx.Require(ctx.input_slot(0).bytes == static_cast<size_t>(g.m * g.k) || g.im2col || g.depthwise,
                "input size does not match the lowered GEMM");
    ctx.Require(ctx.output_slot(0).bytes == static_cast<size_t>(g.m * g.n), "output size does not match the lowered GEMM");
  }

  void Eval(OpContext& ctx) override {
    State& s = *state_;
    const GemmLowering& g = s.lowering[node_];
    const PreparedGemm& p = s.prepared[node_];
    HostWork host;
    if (g.matmul) {
      s.backend->ResetStats();
      RunMatMul(*s.backend, g, ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1), ctx.output_data<int8_t>(0), &host);
      RecordRun(s.config, *s.backend, host, s.run.layers.at(node_));
      return;
    }
    const int8_t* a = GemmInput(g, ctx.input_data<int8_t>(0), &scratch_);
    if (g.im2col) host.im2col_bytes = g.m * g.k;
    s.backend->ResetStats();
    RunGemm(*s.backend, p, a, g.k, ctx.output_data<int8_t>(0), g.n, &host);
    RecordRun(s.config, *s.backend, host, s.run.layers.at(node_));
  }

 private:
  using State = AcceleratorDelegate::State;
  std::shared_ptr<State> state_;
  int node_;
  std::vector<int8_t> scratch_;
};

}  // namespace

std::vector<NodePlacement> PlanDelegation(const Model& model, const AcceleratorConfig& config) {
  std::vector<NodePlacement> out;
  const int first_conv = FirstConvNode(model);
  for (size_t n = 0; n < model.main().operators.size(); ++n) {
    GemmLowering g;
    PreparedGemm p;
    out.push_back(Decide(model, config, static_cast<int>(n), first_conv, &g, &p));
  }
  return out;
}

AcceleratorDelegate::AcceleratorDelegate(const Model& model, AcceleratorConfig config, const std::string& backend)
    : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.model = &model;
  s.config = std::move(config);
  Check(s.config.method != nullptr, "accelerator config has no PE method");
  const size_t nodes = model.main().operators.size();
  s.lowering.resize(nodes);
  s.prepared.resize(nodes);
  s.backend = MakeBackend(backend, s.config);
  const int first_conv = FirstConvNode(model);
  s.run = EmptyRun(s.config, s.backend->name());
  for (size_t n = 0; n < nodes; ++n) {
    NodePlacement p = Decide(model, s.config, static_cast<int>(n), first_conv, &s.lowering[n], &s.prepared[n]);
    s.run.layers.push_back(StaticLayerStats(s.config, p, s.lowering[n], s.prepared[n]));
    s.placements.push_back(std::move(p));
  }
}

AccelRun EstimateAccelRun(const Model& model, const AcceleratorConfig& config) {
  Check(config.method != nullptr, "accelerator config has no PE method");
  const int first_conv = FirstConvNode(model);
  Simulator sim(config);  // counts only: every command is shape-only
  AccelRun run = EmptyRun(config, "estimate");
  for (size_t n = 0; n < model.main().operators.size(); ++n) {
    GemmLowering g;
    PreparedGemm pg;
    const NodePlacement p = Decide(model, config, static_cast<int>(n), first_conv, &g, &pg, /*shape_only=*/true);
    run.layers.push_back(StaticLayerStats(config, p, g, pg));
    if (!p.on_accel) continue;
    HostWork host;
    if (g.im2col) host.im2col_bytes = g.m * g.k;
    sim.ResetStats();
    if (g.matmul)
      RunMatMul(sim, g, nullptr, nullptr, nullptr, &host);
    else
      RunGemm(sim, pg, nullptr, g.k, nullptr, g.n, &host);
    RecordRun(config, sim, host, run.layers.back());
  }
  return run;
}

AcceleratorDelegate::~AcceleratorDelegate() = default;

void AcceleratorDelegate::Install(Interpreter& interp) {
  for (const NodePlacement& p : state_->placements)
    if (p.on_accel) interp.SetNodeKernel(p.node, std::make_unique<AccelGemmKernel>(state_, p.node));
}

const AcceleratorConfig& AcceleratorDelegate::config() const { return state_->config; }
const std::vector<NodePlacement>& AcceleratorDelegate::placements() const { return state_->placements; }
const AccelRun& AcceleratorDelegate::run() const { return state_->run; }
Backend& AcceleratorDelegate::backend() { return *state_->backend; }

// ---- AccelRun helpers (stats.h)

int AccelRun::accel_layers() const {
  int n = 0;
  for (const LayerStats& l : layers) n += l.device == "accel";
  return n;
}

PhaseCycles AccelRun::total_cycles() const {
  PhaseCycles c;
  for (const LayerStats& l : layers)
    if (l.device == "accel") c += l.cycles;
  return c;
}

HostWork AccelRun::total_host() const {
  HostWork h;
  for (const LayerStats& l : layers)
    if (l.device == "accel") h += l.host;
  return h;
}

int64_t AccelRun::total_accel_macs() const {
  int64_t m = 0;
  for (const LayerStats& l : layers)
    if (l.device == "accel") m += l.macs();
  return m;
}

}  // namespace potacc::accel
