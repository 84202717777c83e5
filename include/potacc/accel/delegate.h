// Delegation: decides per node whether it runs on the accelerator or the CPU
// (with the reason), prepares the accelerated layers once, and installs
// kernel overrides into the Interpreter that run driver + simulator and
// record per-layer statistics (stats.h).
//
//   AcceleratorDelegate delegate(model, ResolveAcceleratorConfig("apot", "pynq-z2"));
//   Interpreter interp(model);
//   delegate.Install(interp);   // before interp.Prepare()
//   interp.Prepare(); interp.SetInput(...); interp.Invoke();
//   PrintAccelRunTable(std::cout, delegate.run());   (report.h)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/config.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/lowering.h"
#include "potacc/accel/sim.h"
#include "potacc/accel/stats.h"
#include "potacc/model.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::accel {

struct NodePlacement {
  int node = -1;
  int32_t builtin = 0;
  bool on_accel = false;
  std::string reason;  // why it stays on the CPU (empty when accelerated)
};

// The static decision for every node (no inference needed).
std::vector<NodePlacement> PlanDelegation(const Model& model, const AcceleratorConfig& config);

// Data-free timing: the AccelRun one inference would record (placement,
// cycles, host work, stream bytes per layer) from the shapes alone - the same
// driver and simulator with shape-only commands, so the counts equal a real
// run's. Weights are not read: a layer whose weights the method cannot encode
// (a model not quantized for it) counts as accelerated here. Milliseconds per
// model; `potacc explore` evaluates design points with it.
AccelRun EstimateAccelRun(const Model& model, const AcceleratorConfig& config);

class AcceleratorDelegate {
 public:
  // The model must outlive the delegate. Prepares every accelerated layer and
  // creates the backend the command streams run on (backend.h; "sim" by default).
  AcceleratorDelegate(const Model& model, AcceleratorConfig config, const std::string& backend = kDefaultBackend);
  ~AcceleratorDelegate();
  AcceleratorDelegate(const AcceleratorDelegate&) = delete;
  AcceleratorDelegate& operator=(const AcceleratorDelegate&) = delete;

  // Replaces the kernels of the accelerated nodes (call before Prepare).
  void Install(Interpreter& interp);

  const AcceleratorConfig& config() const;
  const std::vector<NodePlacement>& placements() const;
  // Per-node results of the latest Invoke (CPU nodes: device "cpu" + reason).
  const AccelRun& run() const;
  Backend& backend();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace potacc::accel
