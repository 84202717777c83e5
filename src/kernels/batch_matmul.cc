#include "potacc/kernels/batch_matmul.h"

#include <algorithm>
#include <string>

#include "potacc/error.h"
#include "potacc/fixed_point.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

int64_t BatchMatMulShape::batches() const {
  int64_t n = 1;
  for (int32_t d : batch) n *= d;
  return n;
}

std::vector<int32_t> BatchMatMulShape::output_shape() const {
  std::vector<int32_t> out = batch;
  out.push_back(static_cast<int32_t>(rows));
  out.push_back(static_cast<int32_t>(cols));
  return out;
}

namespace {

// Offset of output batch b with per-dimension strides (row-major over dims).
int64_t BatchOffset(const std::vector<int32_t>& dims, const std::vector<int64_t>& stride, int64_t b) {
  int64_t offset = 0;
  for (int d = static_cast<int>(dims.size()) - 1; d >= 0; --d) {
    offset += (b % dims[d]) * stride[d];
    b /= dims[d];
  }
  return offset;
}

}  // namespace

int64_t BatchMatMulShape::lhs_offset(int64_t b) const { return BatchOffset(batch, lhs_stride, b); }
int64_t BatchMatMulShape::rhs_offset(int64_t b) const { return BatchOffset(batch, rhs_stride, b); }

BatchMatMulShape MakeBatchMatMulShape(const std::vector<int32_t>& lhs, const std::vector<int32_t>& rhs,
                                      bool adj_x, bool adj_y) {
  const int lr = static_cast<int>(lhs.size());
  const int rr = static_cast<int>(rhs.size());
  Check(lr >= 2 && lr <= 5 && rr >= 2 && rr <= 5,
        "operands must have rank 2..5, got " + FormatShape(lhs) + " and " + FormatShape(rhs));
  for (int32_t d : lhs) Check(d >= 0, "negative dimension in " + FormatShape(lhs));
  for (int32_t d : rhs) Check(d >= 0, "negative dimension in " + FormatShape(rhs));
  BatchMatMulShape s;
  s.adj_x = adj_x;
  s.adj_y = adj_y;
  s.rows = adj_x ? lhs[lr - 1] : lhs[lr - 2];
  const int64_t lhs_depth = adj_x ? lhs[lr - 2] : lhs[lr - 1];
  const int64_t rhs_depth = adj_y ? rhs[rr - 1] : rhs[rr - 2];
  s.cols = adj_y ? rhs[rr - 2] : rhs[rr - 1];
  Check(lhs_depth == rhs_depth, "contracted dimensions differ: lhs " + FormatShape(lhs) +
                                    (adj_x ? " (adj_x)" : "") + " has " + std::to_string(lhs_depth) +
                                    ", rhs " + FormatShape(rhs) + (adj_y ? " (adj_y)" : "") + " has " +
                                    std::to_string(rhs_depth));
  s.depth = lhs_depth;
  const int out_rank = std::max(lr, rr);
  const int batch_rank = out_rank - 2;
  s.batch.assign(batch_rank, 1);
  s.lhs_stride.assign(batch_rank, 0);
  s.rhs_stride.assign(batch_rank, 0);
  int64_t lhs_step = int64_t{lhs[lr - 1]} * lhs[lr - 2];
  int64_t rhs_step = int64_t{rhs[rr - 1]} * rhs[rr - 2];
  for (int d = batch_rank - 1; d >= 0; --d) {
    const int li = d - (out_rank - lr);
    const int ri = d - (out_rank - rr);
    const int32_t ld = li >= 0 ? lhs[li] : 1;
    const int32_t rd = ri >= 0 ? rhs[ri] : 1;
    Check(ld == rd || ld == 1 || rd == 1, "batch dimensions of " + FormatShape(lhs) + " and " +
                                              FormatShape(rhs) + " do not broadcast");
    s.batch[d] = ld == 1 ? rd : ld;
    s.lhs_stride[d] = ld == 1 ? 0 : lhs_step;
    s.rhs_stride[d] = rd == 1 ? 0 : rhs_step;
    lhs_step *= ld;
    rhs_step *= rd;
  }
  return s;
}

BatchMatMulInt8Params PrepareBatchMatMulInt8(float lhs_scale, int32_t lhs_zero_point, float rhs_scale,
                                             int32_t rhs_zero_point, float output_scale,
                                             int32_t output_zero_point) {
  BatchMatMulInt8Params p;
  p.lhs_offset = -lhs_zero_point;
  p.rhs_offset = -rhs_zero_point;
  p.output_zero_point = output_zero_point;
  // TFLite: static_cast<double>(input->params.scale * filter->params.scale), a float product.
  const float product = lhs_scale * rhs_scale;
  fixed_point::QuantizeMultiplier(static_cast<double>(product) / static_cast<double>(output_scale),
                                  &p.multiplier, &p.shift);
  return p;
}

namespace {

int8_t RequantizeBatchMatMul(const BatchMatMulInt8Params& p, int32_t acc) {
  const int32_t v = fixed_point::MultiplyByQuantizedMultiplier(acc, p.multiplier, p.shift) + p.output_zero_point;
  return static_cast<int8_t>(std::clamp<int32_t>(v, -128, 127));
}

}  // namespace

void BatchMatMulInt8Reference(const BatchMatMulShape& s, const BatchMatMulInt8Params& p, const int8_t* lhs,
                              const int8_t* rhs, int8_t* output) {
  const int64_t M = s.rows, K = s.depth, N = s.cols;
  for (int64_t b = 0; b < s.batches(); ++b) {
    const int8_t* L = lhs + s.lhs_offset(b);
    const int8_t* R = rhs + s.rhs_offset(b);
    int8_t* out = output + b * M * N;
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        uint32_t acc = 0;  // int32 arithmetic modulo 2^32, as TFLite's int32 accumulator
        for (int64_t k = 0; k < K; ++k) {
          const int32_t l = s.adj_x ? L[k * M + i] : L[i * K + k];
          const int32_t r = s.adj_y ? R[j * K + k] : R[k * N + j];
          acc += static_cast<uint32_t>((l + p.lhs_offset) * (r + p.rhs_offset));
        }
        out[i * N + j] = RequantizeBatchMatMul(p, static_cast<int32_t>(acc));
      }
    }
  }
}

void TransposeMatrixInt8(const int8_t* in, int64_t rows, int64_t cols, int8_t* out) {
  constexpr int64_t kBlock = 32;  // cache blocking
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
      const int64_t r1 = std::min(rows, r0 + kBlock), c1 = std::min(cols, c0 + kBlock);
      for (int64_t c = c0; c < c1; ++c) {
        for (int64_t r = r0; r < r1; ++r) out[c * rows + r] = in[r * cols + c];
      }
    }
  }
}

void BatchMatMulInt8(const BatchMatMulShape& s, const BatchMatMulInt8Params& p, const int8_t* lhs,
                     const int8_t* rhs, int8_t* output, Isa isa) {
  const int64_t M = s.rows, K = s.depth, N = s.cols;
  if (M == 0 || N == 0) return;
  if (K == 0) {  // empty sums: every output is the requantized zero
    std::fill(output, output + s.batches() * M * N, RequantizeBatchMatMul(p, 0));
    return;
  }
  Check(N <= (int64_t{1} << 24) && K <= (int64_t{1} << 24), "BATCH_MATMUL: matrix too large for the int8 GEMM");
  const std::vector<int32_t> multiplier(static_cast<size_t>(N), p.multiplier);
  const std::vector<int> shift(static_cast<size_t>(N), p.shift);
  Int8Params q;
  q.input_offset = p.lhs_offset;
  q.filter_offset = p.rhs_offset;
  q.output_zero_point = p.output_zero_point;
  q.multiplier = multiplier.data();
  q.shift = shift.data();
  std::vector<int8_t> rhs_t(s.adj_y ? 0 : static_cast<size_t>(N * K));
  std::vector<int8_t> lhs_t(s.adj_x ? static_cast<size_t>(M * K) : 0);
  PackedWeightsInt8 packed;
  int64_t packed_offset = -1;
  for (int64_t b = 0; b < s.batches(); ++b) {
    const int64_t ro = s.rhs_offset(b);
    if (ro != packed_offset) {  // a broadcast rhs is packed once
      const int8_t* w = rhs + ro;
      if (!s.adj_y) {
        TransposeMatrixInt8(w, K, N, rhs_t.data());
        w = rhs_t.data();
      }
      packed = PackedWeightsInt8(w, static_cast<int>(N), static_cast<int>(K), nullptr, q.input_offset,
                                 q.filter_offset);
      packed_offset = ro;
    }
    const int8_t* a = lhs + s.lhs_offset(b);
    if (s.adj_x) {
      TransposeMatrixInt8(a, K, M, lhs_t.data());
      a = lhs_t.data();
    }
    GemmInt8(q, packed, a, M, K, output + b * M * N, N, isa);
  }
}

void BatchMatMulFloat(const BatchMatMulShape& s, const float* lhs, const float* rhs, float* output) {
  const int64_t M = s.rows, K = s.depth, N = s.cols;
  for (int64_t b = 0; b < s.batches(); ++b) {
    const float* L = lhs + s.lhs_offset(b);
    const float* R = rhs + s.rhs_offset(b);
    float* out = output + b * M * N;
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        float acc = 0.0f;
        for (int64_t k = 0; k < K; ++k) {
          acc += (s.adj_x ? L[k * M + i] : L[i * K + k]) * (s.adj_y ? R[j * K + k] : R[k * N + j]);
        }
        out[i * N + j] = acc;
      }
    }
  }
}

namespace {

class BatchMatMulKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 2, 2, 1);
    const Tensor& lhs = ctx.input(0);
    const Tensor& rhs = ctx.input(1);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, lhs, "lhs", {DataType::kInt8, DataType::kFloat32});
    RequireSameType(ctx, rhs, "rhs", lhs, "lhs");
    RequireSameType(ctx, out, "output", lhs, "lhs");
    const OpOptions& o = ctx.options();
    try {
      shape_ = MakeBatchMatMulShape(lhs.shape, rhs.shape, o.adj_x, o.adj_y);
    } catch (const Error& e) {
      ctx.Unsupported(e.what());
    }
    ctx.Require(out.shape == shape_.output_shape(), "output shape " + FormatShape(out.shape) + " should be " +
                                                        FormatShape(shape_.output_shape()));
    if (lhs.type == DataType::kInt8) {
      const TensorQuant ql = PerTensorQuant(ctx, lhs, "lhs");
      const TensorQuant qr = PerTensorQuant(ctx, rhs, "rhs");
      const TensorQuant qo = PerTensorQuant(ctx, out, "output");
      params_ = PrepareBatchMatMulInt8(ql.scale, ql.zero_point, qr.scale, qr.zero_point, qo.scale, qo.zero_point);
    }
  }

  void Eval(OpContext& ctx) override {
    if (ctx.input(0).type == DataType::kInt8) {
      BatchMatMulInt8(shape_, params_, ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
                      ctx.output_data<int8_t>(0));
    } else {
      BatchMatMulFloat(shape_, ctx.input_data<float>(0), ctx.input_data<float>(1), ctx.output_data<float>(0));
    }
  }

 private:
  BatchMatMulShape shape_;
  BatchMatMulInt8Params params_;
};

POTACC_REGISTER_KERNEL(kBatchMatMul, BatchMatMulKernel);

}  // namespace
}  // namespace potacc::kernels
