// MAX_POOL_2D: see potacc/kernels/pooling.h for the arithmetic.
#include "kernels/pool_kernel.h"

namespace potacc::kernels {
namespace {
using MaxPoolKernel = PoolKernel<PoolKind::kMax>;
POTACC_REGISTER_KERNEL(kMaxPool2D, MaxPoolKernel);
}  // namespace
}  // namespace potacc::kernels
