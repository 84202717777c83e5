// RESHAPE: the output tensor's shape is authoritative (the optional shape
// input, possibly computed at run time by SHAPE/STRIDED_SLICE/PACK, must
// agree with it in TFLite's static-shape models); the bytes are copied.
#include "kernels/copy_kernel.h"

namespace potacc::kernels {
namespace {
class ReshapeKernel : public ByteCopyKernel {
 public:
  ReshapeKernel() : ByteCopyKernel(2) {}
};
POTACC_REGISTER_KERNEL(kReshape, ReshapeKernel);
}  // namespace
}  // namespace potacc::kernels
