#include "potacc/kernels/pooling.h"

#include <algorithm>
#include <limits>

#include "potacc/error.h"

namespace potacc::kernels {

PoolGeometry MakePoolGeometry(const std::vector<int32_t>& input_shape, int filter_h, int filter_w,
                              int stride_h, int stride_w, Padding padding) {
  Check(input_shape.size() == 4, "pooling input must be 4-D NHWC");
  PoolGeometry g;
  g.batch = input_shape[0];
  g.in_h = input_shape[1];
  g.in_w = input_shape[2];
  g.channels = input_shape[3];
  g.filter_h = filter_h;
  g.filter_w = filter_w;
  g.stride_h = stride_h;
  g.stride_w = stride_w;
  g.out_h = ComputeOutSize(padding, g.in_h, filter_h, stride_h);
  g.out_w = ComputeOutSize(padding, g.in_w, filter_w, stride_w);
  g.pad_top = ComputePadding(padding, g.in_h, filter_h, stride_h, 1, g.out_h);
  g.pad_left = ComputePadding(padding, g.in_w, filter_w, stride_w, 1, g.out_w);
  return g;
}

namespace {

// Calls fn(window_y0, window_y1, window_x0, window_x1, out_index_base, in_batch_base)
// for each output pixel; windows are clipped to the input.
template <class Fn>
void ForEachWindow(const PoolGeometry& g, Fn&& fn) {
  for (int b = 0; b < g.batch; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      const int y_origin = oy * g.stride_h - g.pad_top;
      const int y0 = std::max(0, y_origin);
      const int y1 = std::min(g.in_h, y_origin + g.filter_h);
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int x_origin = ox * g.stride_w - g.pad_left;
        const int x0 = std::max(0, x_origin);
        const int x1 = std::min(g.in_w, x_origin + g.filter_w);
        const int64_t out_base = ((int64_t{b} * g.out_h + oy) * g.out_w + ox) * g.channels;
        const int64_t in_batch = int64_t{b} * g.in_h * g.in_w * g.channels;
        fn(y0, y1, x0, x1, out_base, in_batch);
      }
    }
  }
}

}  // namespace

void AveragePoolInt8(const PoolGeometry& g, fixed_point::ActivationRange range, const int8_t* input,
                     int8_t* output) {
  std::vector<int32_t> sum(g.channels);
  ForEachWindow(g, [&](int y0, int y1, int x0, int x1, int64_t out_base, int64_t in_batch) {
    std::fill(sum.begin(), sum.end(), 0);
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const int8_t* px = input + in_batch + (int64_t{y} * g.in_w + x) * g.channels;
        for (int c = 0; c < g.channels; ++c) sum[c] += px[c];
      }
    }
    const int count = (y1 - y0) * (x1 - x0);
    Check(count > 0, "AVERAGE_POOL_2D window lies entirely in the padding");
    for (int c = 0; c < g.channels; ++c) {
      output[out_base + c] =
          static_cast<int8_t>(std::clamp(RoundedAverage(sum[c], count), range.min, range.max));
    }
  });
}

void MaxPoolInt8(const PoolGeometry& g, fixed_point::ActivationRange range, const int8_t* input,
                 int8_t* output) {
  std::vector<int8_t> best(g.channels);
  ForEachWindow(g, [&](int y0, int y1, int x0, int x1, int64_t out_base, int64_t in_batch) {
    std::fill(best.begin(), best.end(), std::numeric_limits<int8_t>::lowest());
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const int8_t* px = input + in_batch + (int64_t{y} * g.in_w + x) * g.channels;
        for (int c = 0; c < g.channels; ++c) best[c] = std::max(best[c], px[c]);
      }
    }
    for (int c = 0; c < g.channels; ++c) {
      output[out_base + c] =
          static_cast<int8_t>(std::clamp<int32_t>(best[c], range.min, range.max));
    }
  });
}

void AveragePoolFloat(const PoolGeometry& g, FloatRange range, const float* input, float* output) {
  std::vector<float> sum(g.channels);
  ForEachWindow(g, [&](int y0, int y1, int x0, int x1, int64_t out_base, int64_t in_batch) {
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const float* px = input + in_batch + (int64_t{y} * g.in_w + x) * g.channels;
        for (int c = 0; c < g.channels; ++c) sum[c] += px[c];
      }
    }
    const auto count = static_cast<float>((y1 - y0) * (x1 - x0));
    Check(count > 0, "AVERAGE_POOL_2D window lies entirely in the padding");
    for (int c = 0; c < g.channels; ++c) {
      output[out_base + c] = ClampToRange(sum[c] / count, range);
    }
  });
}

void MaxPoolFloat(const PoolGeometry& g, FloatRange range, const float* input, float* output) {
  std::vector<float> best(g.channels);
  ForEachWindow(g, [&](int y0, int y1, int x0, int x1, int64_t out_base, int64_t in_batch) {
    std::fill(best.begin(), best.end(), std::numeric_limits<float>::lowest());
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const float* px = input + in_batch + (int64_t{y} * g.in_w + x) * g.channels;
        for (int c = 0; c < g.channels; ++c) best[c] = std::max(best[c], px[c]);
      }
    }
    for (int c = 0; c < g.channels; ++c) {
      output[out_base + c] = ClampToRange(best[c], range);
    }
  });
}

}  // namespace potacc::kernels
