// SimulateAccelerator: compare's default executor, backed by the accelerator
// delegate of accel/ (driver + simulator inside the interpreter).
#include "potacc/accel/delegate.h"
#include "potacc/error.h"
#include "potacc/platform/compare.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::platform {

AccelExecution SimulateAccelerator(const Model& model, const accel::AcceleratorConfig& config,
                                   const TensorBytes& inputs, bool functional) {
  // The delegate always computes the outputs (they are cheap next to the
  // timing bookkeeping); `functional` only decides whether they are returned.
  accel::AcceleratorDelegate delegate(model, config);
  Interpreter interp(model);
  delegate.Install(interp);
  interp.Prepare();
  Check(static_cast<int>(inputs.size()) == interp.num_inputs(),
        "model has " + std::to_string(interp.num_inputs()) + " inputs, got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) interp.SetInput(static_cast<int>(i), inputs[i]);
  interp.Invoke();
  AccelExecution ex;
  ex.run = delegate.run();
  if (functional) {
    for (int i = 0; i < interp.num_outputs(); ++i) {
      auto o = interp.Output(i);
      ex.outputs.emplace_back(o.begin(), o.end());
    }
  }
  return ex;
}

}  // namespace potacc::platform
