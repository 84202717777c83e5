// SQUEEZE: removes size-1 dimensions; the bytes are copied unchanged.
#include <algorithm>

#include "kernels/copy_kernel.h"

namespace potacc::kernels {
namespace {
class SqueezeKernel : public ByteCopyKernel {
 public:
  SqueezeKernel() : ByteCopyKernel(1) {}
  void Prepare(OpContext& ctx) override {
    ByteCopyKernel::Prepare(ctx);
    const auto& in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    std::vector<int32_t> expected;
    const auto& dims = ctx.options().squeeze_dims;
    for (int d = 0; d < rank; ++d) {
      bool squeeze = false;
      if (dims.empty()) {
        squeeze = in[d] == 1;
      } else {
        for (int32_t s : dims) {
          ctx.Require(s >= -rank && s < rank, "squeeze dimension " + std::to_string(s) +
                                                  " is out of range for rank " +
                                                  std::to_string(rank));
          if ((s < 0 ? s + rank : s) == d) squeeze = true;
        }
        ctx.Require(!squeeze || in[d] == 1, "cannot squeeze dimension " + std::to_string(d) +
                                                " of size " + std::to_string(in[d]));
      }
      if (!squeeze) expected.push_back(in[d]);
    }
    ctx.Require(ctx.output(0).shape == expected,
                "output shape " + FormatShape(ctx.output(0).shape) +
                    " differs from the squeezed shape " + FormatShape(expected));
  }
};
POTACC_REGISTER_KERNEL(kSqueeze, SqueezeKernel);
}  // namespace
}  // namespace potacc::kernels
