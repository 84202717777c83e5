// AVERAGE_POOL_2D: see potacc/kernels/pooling.h for the arithmetic.
#include "kernels/pool_kernel.h"

namespace potacc::kernels {
namespace {
using AveragePoolKernel = PoolKernel<PoolKind::kAverage>;
POTACC_REGISTER_KERNEL(kAveragePool2D, AveragePoolKernel);
}  // namespace
}  // namespace potacc::kernels
