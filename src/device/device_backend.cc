#include "potacc/device/device_backend.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "potacc/error.h"
#include "potacc/util/hex.h"

namespace potacc::device {

using accel::Command;
using accel::Opcode;

struct DeviceBackend::Channel {
  std::unique_ptr<AxiDmaChannel> mm2s, s2mm;
  std::unique_ptr<MappedRange> output;  // S2MM destination
  std::unique_ptr<MappedRange> input;   // scratch, then the preload area
};

DeviceIo OpenDevMem(const platform::DeviceAddressMap& map, std::shared_ptr<PhysicalMemory> memory) {
  DeviceIo io;
  io.accel = std::make_unique<MmioWindow>(memory->Map(map.accel_ctrl, map.accel_ctrl_bytes, "accelerator registers"));
  for (int i = 0; i < 4; ++i) {
    io.dma.push_back(std::make_unique<MmioWindow>(
        memory->Map(map.dma_base + static_cast<uint64_t>(i) * map.dma_stride, 0x1000, "AXI DMA " + std::to_string(i))));
  }
  io.description = memory->path();
  io.memory = std::move(memory);
  return io;
}

DeviceOptions DeviceOptionsFromEnv() {
  DeviceOptions o;
  if (const char* env = std::getenv(kDeviceTimeoutEnv); env && *env) {
    char* end = nullptr;
    const long ms = std::strtol(env, &end, 10);
    Check(*end == '\0' && ms > 0 && ms <= 3600000,
          std::string(kDeviceTimeoutEnv) + "=" + env + " is not a timeout in milliseconds (1..3600000)");
    o.timeout = std::chrono::milliseconds(ms);
  }
  return o;
}

platform::DeviceAddressMap DeviceAddressMapFor(const accel::AcceleratorConfig& config) {
  const char* env = std::getenv(kDeviceBoardEnv);
  const std::string board = env && *env ? env : config.board;
  Check(!board.empty(), "device backend: the accelerator configuration names no board (set " +
                            std::string(kDeviceBoardEnv) + " to a board file with an address_map)");
  const platform::Board b = platform::LoadBoard(board);
  Check(b.address.present, "device backend: board " + board + " has no \"address_map\" (reference §4.3)");
  return b.address;
}

DeviceBackend::DeviceBackend(const accel::AcceleratorConfig& config, const platform::DeviceAddressMap& map,
                             DeviceIo io, DeviceOptions options, std::shared_ptr<void> keep_alive)
    : keep_alive_(std::move(keep_alive)), config_(config), map_(map), io_(std::move(io)), options_(options) {
  accel::RequireV12Stream(config_, "device");
  Check(io_.dma.size() == 4 && io_.accel && io_.memory, "device backend: needs 4 AXI DMAs, the accelerator and memory");
  Check(map_.scratch_bytes <= map_.input_buffer_bytes, "device backend: scratch larger than the input buffer");
  auto context = [this] { return AcceleratorState(); };
  for (int i = 0; i < 4; ++i) {
    const std::string dma = "AXI DMA " + std::to_string(i);
    ResetAxiDma(*io_.dma[i], dma + " (" + Hex(map_.dma_base + static_cast<uint64_t>(i) * map_.dma_stride) + ")",
                options_.timeout);
    auto ch = std::make_unique<Channel>();
    ch->mm2s = std::make_unique<AxiDmaChannel>(*io_.dma[i], DmaDirection::kMm2s, dma + " MM2S", context);
    ch->s2mm = std::make_unique<AxiDmaChannel>(*io_.dma[i], DmaDirection::kS2mm, dma + " S2MM", context);
    ch->mm2s->Run(options_.timeout);
    ch->s2mm->Run(options_.timeout);
    const uint64_t out = map_.buffer_base + static_cast<uint64_t>(i) * map_.buffer_stride;
    ch->output = io_.memory->Map(out, map_.output_buffer_bytes, dma + " output buffer");
    ch->input = io_.memory->Map(out + map_.output_buffer_bytes, map_.input_buffer_bytes, dma + " input buffer");
    channels_.push_back(std::move(ch));
  }
  ResetStats();
}

DeviceBackend::~DeviceBackend() {
  channels_.clear();  // unmap before the memory (and a model) go away
}

std::string DeviceBackend::AcceleratorState() {
  std::string s = "accelerator state: input handler " + std::to_string(io_.accel->Read32(kAccelInputHandlerState)) +
                  ", scheduler " + std::to_string(io_.accel->Read32(kAccelSchedulerState));
  if (io_.diagnostics) {
    const std::string d = io_.diagnostics();
    if (!d.empty()) s += "; " + d;
  }
  return s;
}

DeviceBackend::Segment DeviceBackend::Stage(int q, const uint32_t* words, size_t count) {
  const uint64_t bytes = 4 * static_cast<uint64_t>(count);
  const uint64_t max_transfer = (uint64_t{1} << map_.dma_length_bits) - 1;
  Check(scratch_used_[q] + bytes <= map_.scratch_bytes && bytes <= max_transfer,
        "device backend: a command needs " + std::to_string(scratch_used_[q] + bytes) + " bytes on stream " +
            std::to_string(q) + ", more than the " + std::to_string(map_.scratch_bytes) + "-byte scratch area");
  Channel& ch = *channels_[q];
  std::memcpy(ch.input->data() + scratch_used_[q], words, bytes);
  Segment s{ch.input->phys() + scratch_used_[q], static_cast<uint32_t>(bytes)};
  scratch_used_[q] += bytes;
  return s;
}

void DeviceBackend::SendPhase(const Phase& phase) {
  MmioBarrier();  // buffer writes reach memory before the DMAs read them
  for (int q = 0; q < 4; ++q) {
    if (phase[q].bytes) channels_[q]->mm2s->Start(phase[q].address, phase[q].bytes);
  }
  const auto deadline = AxiDmaChannel::Clock::now() + options_.timeout;
  for (int q = 0; q < 4; ++q) {
    if (phase[q].bytes) channels_[q]->mm2s->Wait(deadline);
  }
}

bool DeviceBackend::Preloaded(const std::shared_ptr<const accel::PackedWeights>& w, std::array<uint64_t, 4>* address) {
  auto it = preloaded_.find(w.get());
  const uint64_t bytes = 4 * static_cast<uint64_t>(w->data[0].size());
  if (it == preloaded_.end()) {
    const uint64_t area = map_.input_buffer_bytes - map_.scratch_bytes;
    if (!options_.preload_weights || preload_used_[0] + bytes > area) return false;
    for (int q = 0; q < 4; ++q) {
      std::memcpy(channels_[q]->input->data() + map_.scratch_bytes + preload_used_[q], w->data[q].data(), bytes);
      preload_used_[q] += bytes;
    }
    it = preloaded_.emplace(w.get(), std::make_pair(w, preload_used_[0] - bytes)).first;
  }
  for (int q = 0; q < 4; ++q) (*address)[q] = channels_[q]->input->phys() + map_.scratch_bytes + it->second.second;
  return true;
}

// Header on stream 0, then the weight data (from the preload area when it
// fits there), then the epilogue: three phases, each one the accelerator
// consumes whole, so no channel waits on another's later transfer.
void DeviceBackend::SendLoadWeights(const Command& cmd) {
  const accel::StreamWordsT words = accel::StreamWords(cmd, config_.units);
  const size_t data = static_cast<size_t>(cmd.blocks * cmd.weights->words_per_block);
  constexpr size_t kHeader = 6;
  Phase header{}, body{}, epilogue{};
  header[0] = Stage(0, words[0].data(), kHeader);
  std::array<uint64_t, 4> preload{};
  const bool from_preload = Preloaded(cmd.weights, &preload);
  for (int q = 0; q < 4; ++q) {
    const uint32_t* w = words[q].data() + (q == 0 ? kHeader : 0);
    if (from_preload) {
      // Chunk-major packing (depth splitting): chunk c's blocks follow chunks 0..c-1.
      const int64_t first_word = (cmd.chunk * cmd.weights->blocks() + cmd.first_block) * cmd.weights->words_per_block;
      body[q] = {preload[q] + 4 * static_cast<uint64_t>(first_word),
                 static_cast<uint32_t>(4 * data)};
    } else {
      body[q] = Stage(q, w, data);
    }
    epilogue[q] = Stage(q, w + data, words[q].size() - (q == 0 ? kHeader : 0) - data);
  }
  SendPhase(header);
  SendPhase(body);
  SendPhase(epilogue);
}

void DeviceBackend::Compute(const Command& cmd, accel::StreamWordsT* out) {
  const int64_t beats = accel::ComputeOutputBeats(cmd);  // data beats + the TLAST beat
  const uint64_t bytes = 4 * static_cast<uint64_t>(beats);
  Check(bytes <= map_.output_buffer_bytes && bytes < (uint64_t{1} << map_.dma_length_bits),
        "device backend: " + accel::Describe(cmd) + " returns " + std::to_string(bytes) +
            " bytes per stream, more than the output buffer");
  for (auto& ch : channels_) ch->s2mm->Start(ch->output->phys(), static_cast<uint32_t>(bytes));
  const accel::StreamWordsT words = accel::StreamWords(cmd, config_.units);
  SendPhase({Stage(0, words[0].data(), words[0].size()), Segment{}, Segment{}, Segment{}});
  const auto deadline = AxiDmaChannel::Clock::now() + options_.timeout;
  for (int q = 0; q < 4; ++q) {
    Channel& ch = *channels_[q];
    const uint32_t got = ch.s2mm->Wait(deadline);
    if (got != bytes) {
      throw Error(ch.s2mm->name() + ": short transfer: received " + std::to_string(got) + " of " +
                  std::to_string(bytes) + " bytes for " + accel::Describe(cmd) + "; " + AcceleratorState());
    }
  }
  MmioBarrier();
  for (int q = 0; q < 4; ++q) {
    stats_.words_out += beats;
    if (!out) continue;
    auto& dst = (*out)[q];
    const size_t at = dst.size();
    dst.resize(at + static_cast<size_t>(beats));
    std::memcpy(dst.data() + at, channels_[q]->output->data(), bytes);
  }
}

void DeviceBackend::Execute(const Command& cmd, accel::StreamWordsT* out) {
  ++stats_.commands;
  for (int64_t w : accel::StreamWordCounts(cmd)) stats_.words_in += w;
  scratch_used_.fill(0);
  switch (cmd.op) {
    case Opcode::kLoadWeights: SendLoadWeights(cmd); break;
    case Opcode::kCompute: Compute(cmd, out); break;
    case Opcode::kConfig:
    case Opcode::kConfigDepthwise:
    case Opcode::kNop:
    case Opcode::kLoadInputs: {
      // One transfer per stream: stream 0 carries the header and its data
      // (a depthwise LOAD_INP: its 5-word slab header, then the slab beats).
      const accel::StreamWordsT words = accel::StreamWords(cmd, config_.units);
      Phase phase{};
      for (int q = 0; q < 4; ++q) {
        if (!words[q].empty()) phase[q] = Stage(q, words[q].data(), words[q].size());
      }
      SendPhase(phase);
      break;
    }
  }
}

const accel::SimStats& DeviceBackend::stats() const {
  if (io_.read_counters) {
    const accel::SimStats counted = io_.read_counters();
    stats_.cycles = counted.cycles;
    stats_.units = counted.units;
    stats_.measured = counted.measured;
  }
  return stats_;
}

void DeviceBackend::ResetStats() {
  stats_ = {};
  stats_.units.assign(static_cast<size_t>(config_.units), {});
  if (io_.reset_counters) io_.reset_counters();
}

namespace {

const bool kDeviceBackendRegistered = [] {
  accel::RegisterBackend(
      "device", "the accelerator of a real board: /dev/mem + 4 AXI DMAs in simple mode (run on the board, as root)",
      [](const accel::AcceleratorConfig& c) -> std::unique_ptr<accel::Backend> {
        const platform::DeviceAddressMap map = DeviceAddressMapFor(c);
        const DeviceOptions options = DeviceOptionsFromEnv();  // bad options fail before touching the device
        const char* env = std::getenv(kDeviceMemEnv);
        auto memory = std::make_shared<PhysicalMemory>(env && *env ? env : "/dev/mem");
        return std::make_unique<DeviceBackend>(c, map, OpenDevMem(map, std::move(memory)), options);
      });
  return true;
}();

}  // namespace

}  // namespace potacc::device
