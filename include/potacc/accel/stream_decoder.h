// The accelerator's Input_Handler / Data_In side of the §3 protocol: turns
// the 32-bit words arriving on the four input streams back into Commands,
// the inverse of StreamWords() (command.h). Used where a backend is fed by
// streams instead of Commands: the register-level model of the DMA engines
// (device/register_model.h).
//
// potacc-x commands: a COMPUTE's PsumMode (depth splitting), CONFIG_DW and,
// after a CONFIG_DW, the depthwise LOAD_INP [NB, blocks, slab rows, pitch]
// whose slab layout (SlabWordPosition) follows from the CONFIG_DW geometry.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>

#include "potacc/accel/command.h"
#include "potacc/accel/config.h"

namespace potacc::accel {

using StreamQueues = std::array<std::deque<uint32_t>, 4>;

class StreamDecoder {
 public:
  explicit StreamDecoder(const AcceleratorConfig& config);

  // Takes one whole command off the front of the queues, or returns nullopt
  // (consuming nothing) when its words have not all arrived yet. Throws
  // potacc::Error for words the hardware would not accept (unknown opcode,
  // inconsistent header, LOAD_* before CONFIG).
  std::optional<Command> Next(StreamQueues& in);

 private:
  std::optional<Command> Configure(StreamQueues& in, bool depthwise);
  std::optional<Command> LoadInputs(StreamQueues& in);
  std::optional<Command> LoadSlabs(StreamQueues& in);
  std::optional<Command> LoadWeights(StreamQueues& in);

  int units_;
  int codes_per_word_;
  bool depth_split_;     // COMPUTE may carry a PsumMode (bits 8..9 of its opcode word)
  bool depthwise_mode_;  // CONFIG_DW is a command of this design
  int64_t local_input_addresses_;
  int64_t depth_ = 0;    // rK of the last CONFIG / CONFIG_DW
  bool depthwise_ = false;  // the last configuration was a CONFIG_DW
  DepthwiseGeometry geometry_;  // of the last CONFIG_DW
};

}  // namespace potacc::accel
