// Private plumbing of the int8 GEMM: the row-block driver shared by conv and
// FC, the requantization tables, and the per-ISA block kernels it dispatches to.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "potacc/kernels/gemm.h"

namespace potacc::kernels::detail {

// True when the vector requantizations reproduce the scalar one for q: double
// rounding, non-negative multipliers and shifts in TFLite's range [-31, 30].
bool VectorRequantOk(const Int8Params& q, int channels);

// Per-channel requantization constants, padded with zeros to `padded`
// channels (a multiple of 16).
struct RequantTables {
  RequantTables(const Int8Params& q, int channels, int padded);
  // Whether these tables were built from the same multipliers, shifts and rounding.
  bool Matches(const Int8Params& q, int channels) const;

  bool vector_ok = false;  // VectorRequantOk
  // Double rounding as TFLite writes it: left shift, rounding doubling high
  // multiply, rounding right shift (the AVX2 kernels).
  std::vector<int32_t> multiplier, left_shift, right_shift;
  // The same result in one 64-bit rounding step (the AVX-512 kernels): for
  // P = (x << left_shift) * multiplier and r = right_shift,
  //   out = (P + round - (P < -2^30 ? fix : 0)) >> (31 + r)       (arithmetic)
  // with round = 2^30 + (r > 0 ? 2^(30 + r) : 0), fix = (r > 0 ? 2^31 : 0).
  // (The doubling high multiply is floor((P + 2^30) / 2^31); rounding that
  // half away from zero by 2^r folds into one floor whose offset depends on
  // the sign of the high product, i.e. on P < -2^30.) Stored per group of 16
  // channels as the even lanes then the odd lanes, the way vpmuldq pairs them.
  struct alignas(64) Lanes16 {
    int32_t multiplier[16];
    int32_t odd_multiplier[16];  // multiplier of lane 2i + 1 in dword 2i
    int32_t left_shift[16];
    int64_t round[2][8], fix[2][8], shift[2][8];  // [even/odd][lane pair]
  };
  std::vector<Lanes16> lanes16;
  // Lane `lane` of l for one multiplier / shift (VectorRequantOk range).
  static void SetLane(Lanes16& l, int lane, int32_t multiplier, int shift);
  std::vector<int32_t> source_multiplier;
  std::vector<int> source_shift;
  fixed_point::Rounding rounding = fixed_point::Rounding::kDouble;
  bool any_left_shift = false;
};

// Activation rows in the format of the chosen kernel: int16 x (madd
// kernels), uint8 x + 128 (VNNI kernels: vpdpbusd multiplies unsigned by
// signed bytes) or int8 x as it is (SDOT kernels: signed by signed).
enum class RowFormat : uint8_t { kInt16, kUint8, kInt8 };

// A block of activation rows being filled; row r starts `stride` elements
// after row r - 1. Copy and Fill take int8 values; for the uint8 format they
// store them as they are and Finish adds the 128 to the whole block at once
// (x ^ 0x80), so per-row copies stay plain memcpy.
class RowBlock {
 public:
  RowBlock(RowFormat format, void* data, int64_t stride, Isa isa)
      : format_(format), data_(data), stride_(stride), isa_(isa) {}

  // Row r, columns [col, col + n) = src[0, n).
  void Copy(int r, int64_t col, const int8_t* src, int n) const {
    if (format_ != RowFormat::kInt16) {
      CopyBytes(static_cast<int8_t*>(data_) + r * stride_ + col, src, n);
    } else {
      int16_t* d = static_cast<int16_t*>(data_) + r * stride_ + col;
      if (n < 16) {
        for (int i = 0; i < n; ++i) d[i] = src[i];
      } else {
        Widen(src, n, d);
      }
    }
  }
  // Row r, columns [col, col + n) = value.
  void Fill(int r, int64_t col, int8_t value, int n) const {
    if (format_ != RowFormat::kInt16) {
      std::memset(static_cast<int8_t*>(data_) + r * stride_ + col, value, static_cast<size_t>(n));
    } else {
      int16_t* d = static_cast<int16_t*>(data_) + r * stride_ + col;
      for (int i = 0; i < n; ++i) d[i] = value;
    }
  }
  // After the fill of `rows` rows with `k` columns: zeroes columns
  // [k, stride) and converts the uint8 format.
  void Finish(int rows, int64_t k) const;

 private:
  // memcpy without a library call for the short runs of im2col rows (two
  // overlapping fixed-size moves cover 4..16 bytes).
  static void CopyBytes(int8_t* dst, const int8_t* src, int n) {
    if (n >= 8 && n <= 16) {
      std::memcpy(dst, src, 8);
      std::memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4 && n < 8) {
      std::memcpy(dst, src, 4);
      std::memcpy(dst + n - 4, src + n - 4, 4);
    } else {
      std::memcpy(dst, src, static_cast<size_t>(n));
    }
  }

  void Widen(const int8_t* src, int n, int16_t* dst) const;

  RowFormat format_;
  void* data_;
  int64_t stride_;
  Isa isa_;
};

// Writes GEMM rows first .. first + count - 1 into rows 0 .. count - 1 of
// dst (columns 0 .. k - 1; RunGemm zeroes the rest). Called concurrently for
// disjoint row ranges when a pool is given.
using FillRows = std::function<void(int64_t first, int count, const RowBlock& dst)>;

// out[m * ldo + n] = requantized GEMM of the rows produced by `fill`.
void RunGemm(const Int8Params& q, const PackedWeightsInt8& w, int64_t rows, const FillRows& fill,
             int8_t* out, int64_t ldo, Isa isa, ThreadPool* pool);

// dst[i] = src[i] for i < n (int8 -> int16).
void Widen(const int8_t* src, int n, int16_t* dst, Isa isa);

// One block of activation rows against panels [panel_begin, panel_end) of
// w, requantized into out (row r, channel c at out[r * ldo + c]).
struct GemmBlock {
  const void* a = nullptr;  // in the RowFormat of the kernel
  int64_t lda = 0;          // elements; a multiple of 2 (int16) or 4 (uint8)
  int rows = 0;
  const PackedWeightsInt8* w = nullptr;
  const Int8Params* q = nullptr;
  const RequantTables* rq = nullptr;  // padded to whole panels
  int panel_begin = 0, panel_end = 0;
  int8_t* out = nullptr;
  int64_t ldo = 0;
};
void GemmBlockPortable(const GemmBlock& g);
void GemmBlockAvx2(const GemmBlock& g);
void GemmBlockAvxVnni(const GemmBlock& g);
void GemmBlockAvx512Vnni(const GemmBlock& g);
void GemmBlockNeon(const GemmBlock& g);
void GemmBlockNeonDot(const GemmBlock& g);

void WidenAvx2(const int8_t* src, int n, int16_t* dst);
void RequantizeRowAvx2(const Int8Params& q, const int32_t* acc, int count, int8_t* out);
// Tables padded to whole groups of 16 channels.
void RequantizeRowAvx512(const Int8Params& q, const RequantTables& t, const int32_t* acc, int count,
                         int8_t* out);
void WidenNeon(const int8_t* src, int n, int16_t* dst);
void RequantizeRowNeon(const Int8Params& q, const int32_t* acc, int count, int8_t* out);

}  // namespace potacc::kernels::detail
