// RtlModel over one Verilated potacc_accel_top (included by the generated
// model table only; each configuration's model is its own C++ class).
#pragma once

#include <verilated.h>

#include <memory>

#include "rtl_model.h"

namespace potacc::hw {

template <class V>
class VerilatedAccel final : public RtlModel {
 public:
  VerilatedAccel() : context_(std::make_unique<VerilatedContext>()), top_(std::make_unique<V>(context_.get())) {
    top_->aclk = 0;
    top_->aresetn = 0;
    top_->eval();
    Reset();
  }
  ~VerilatedAccel() override { top_->final(); }

  void Reset() override {
    AxisIn idle;
    idle.m_tready = 0;
    top_->aresetn = 0;
    for (int i = 0; i < 4; ++i) Cycle(idle);
    top_->aresetn = 1;
  }

  AxisOut Cycle(const AxisIn& in) override {
    V& t = *top_;
    t.aclk = 0;
    Drive(in);
    t.eval();
    AxisOut out = Sample();
    t.aclk = 1;
    t.eval();
    out.idle_next = t.idle != 0;
    ++cycles_;
    return out;
  }

  uint32_t ReadStatus(int addr) override {
    top_->stat_addr = static_cast<uint8_t>(addr);
    top_->eval();
    return top_->stat_data;
  }

  uint64_t cycles() const override { return cycles_; }

 private:
  void Drive(const AxisIn& in) {
    V& t = *top_;
#define POTACC_DRIVE_STREAM(q)                        \
  t.s##q##_axis_tdata = in.tdata[q];                  \
  t.s##q##_axis_tvalid = (in.tvalid >> (q)) & 1;      \
  t.s##q##_axis_tlast = (in.tlast >> (q)) & 1;        \
  t.m##q##_axis_tready = (in.m_tready >> (q)) & 1;
    POTACC_DRIVE_STREAM(0)
    POTACC_DRIVE_STREAM(1)
    POTACC_DRIVE_STREAM(2)
    POTACC_DRIVE_STREAM(3)
#undef POTACC_DRIVE_STREAM
    t.stat_addr = in.stat_addr;
  }

  AxisOut Sample() const {
    const V& t = *top_;
    AxisOut o;
#define POTACC_SAMPLE_STREAM(q)                                       \
  o.s_tready |= static_cast<uint8_t>((t.s##q##_axis_tready & 1) << (q)); \
  o.m_tdata[q] = t.m##q##_axis_tdata;                                 \
  o.m_tvalid |= static_cast<uint8_t>((t.m##q##_axis_tvalid & 1) << (q)); \
  o.m_tlast |= static_cast<uint8_t>((t.m##q##_axis_tlast & 1) << (q));
    POTACC_SAMPLE_STREAM(0)
    POTACC_SAMPLE_STREAM(1)
    POTACC_SAMPLE_STREAM(2)
    POTACC_SAMPLE_STREAM(3)
#undef POTACC_SAMPLE_STREAM
    o.stat_data = t.stat_data;
    o.idle = t.idle != 0;
    return o;
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<V> top_;
  uint64_t cycles_ = 0;
};

}  // namespace potacc::hw
