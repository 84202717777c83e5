#include "rtl_model.h"

#include "potacc/error.h"
#include "potacc/hw/accel_rtl_params.h"

namespace potacc::hw {

std::unique_ptr<RtlModel> MakeRtlModel(const accel::AcceleratorConfig& config) {
  const std::string key = RtlParamsKey(AccelRtlParams(config));
  std::string built;
  for (const RtlModelInfo& m : RtlModels()) {
    if (m.key == key) return m.make();
    built += (built.empty() ? "" : ", ") + m.config;
  }
  throw Error("no Verilated RTL model has the parameters of configuration '" + config.name + "' (built: " +
              (built.empty() ? std::string("none") : built) +
              "); add it to the CMake list POTACC_RTL_CONFIGS and rebuild");
}

}  // namespace potacc::hw
