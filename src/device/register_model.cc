#include "potacc/device/register_model.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "potacc/accel/stream_decoder.h"
#include "potacc/device/axi_dma.h"
#include "potacc/error.h"
#include "potacc/util/hex.h"

namespace potacc::device {

using namespace axi_dma;

ModelFault ModelFault::Parse(const std::string& spec) {
  static const struct {
    const char* name;
    Kind kind;
  } kKinds[] = {{"none", Kind::kNone},           {"absent", Kind::kAbsent},         {"mm2s-error", Kind::kMm2sError},
                {"s2mm-error", Kind::kS2mmError}, {"mm2s-stall", Kind::kMm2sStall}, {"s2mm-stall", Kind::kS2mmStall},
                {"short-output", Kind::kShortOutput}};
  const size_t at = spec.find('@');
  const std::string name = spec.substr(0, at);
  ModelFault f;
  bool known = false;
  std::string names;
  for (const auto& k : kKinds) {
    names += (names.empty() ? "" : ", ") + std::string(k.name);
    if (name == k.name) f.kind = k.kind, known = true;
  }
  Check(known, "device model fault '" + spec + "' is not one of: " + names + " (optionally @N)");
  if (at != std::string::npos) {
    const std::string n = spec.substr(at + 1);
    char* end = nullptr;
    f.at = std::strtoll(n.c_str(), &end, 10);
    Check(!n.empty() && *end == '\0' && f.at >= 1 && f.at <= 1000000000,
          "device model fault '" + spec + "': @N needs a transfer number >= 1");
  }
  return f;
}

// ---- the model's state, shared by its register windows and its thread ----

struct RegisterLevelModel::Impl {
  struct ChannelRegs {
    uint32_t cr = 0;
    uint32_t sr = kSrHalted;
    uint64_t address = 0;
    uint32_t length = 0;
    bool pending = false;  // LENGTH written while running, not served yet
  };
  struct Dma {
    ChannelRegs mm2s, s2mm;
  };

  Impl(const accel::AcceleratorConfig& config, const platform::DeviceAddressMap& map, Options options)
      : map(map), options(std::move(options)), decoder(config) {
    Check(this->options.backend != "device" && this->options.backend != "device-model",
          "the device model cannot run on the '" + this->options.backend + "' backend");
    inner = accel::MakeBackend(this->options.backend, config);
    CreateMemory();
  }

  void CreateMemory() {
    std::string path = (std::filesystem::temp_directory_path() / "potacc-devmem-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    Check(fd >= 0, "device model: cannot create a memory file in " + std::filesystem::temp_directory_path().string());
    const uint64_t end = map.buffer_base + 4 * map.buffer_stride;  // sparse: only touched pages use space
    const bool sized = ::ftruncate(fd, static_cast<off_t>(end)) == 0;
    ::close(fd);
    if (!sized) {
      ::unlink(path.c_str());
      throw Error("device model: cannot size the memory file " + path + " to " + Hex(end));
    }
    try {
      model_memory = std::make_shared<PhysicalMemory>(path);
      backend_memory = std::make_shared<PhysicalMemory>(path);
      buffers = model_memory->Map(map.buffer_base, 4 * map.buffer_stride, "model DMA buffers");
    } catch (...) {
      ::unlink(path.c_str());
      throw;
    }
    ::unlink(path.c_str());
  }

  // -- register semantics (called by the windows, under the lock) --
  uint32_t ReadDma(int i, uint32_t offset) {
    std::lock_guard<std::mutex> lock(m);
    if (options.fault.kind == ModelFault::Kind::kAbsent) return 0;
    const bool s2mm = offset >= kS2mmDmacr;
    const ChannelRegs& c = s2mm ? dma[i].s2mm : dma[i].mm2s;
    switch (s2mm ? offset - kS2mmDmacr : offset) {
      case kMm2sDmacr: return c.cr | kCrReserved1;
      case kMm2sDmasr: return c.sr;
      case kMm2sSa: return static_cast<uint32_t>(c.address);
      case kMm2sSaMsb: return static_cast<uint32_t>(c.address >> 32);
      case kMm2sLength: return c.length;
      default: return 0;
    }
  }

  void WriteDma(int i, uint32_t offset, uint32_t v) {
    {
      std::lock_guard<std::mutex> lock(m);
      if (options.fault.kind == ModelFault::Kind::kAbsent) return;
      const bool s2mm = offset >= kS2mmDmacr;
      ChannelRegs& c = s2mm ? dma[i].s2mm : dma[i].mm2s;
      switch (s2mm ? offset - kS2mmDmacr : offset) {
        case kMm2sDmacr:
          if (v & kCrReset) {  // resets the whole core; completes at once here
            dma[i] = Dma{};
            return;
          }
          c.cr = v & (kCrRunStop | kCrIocIrqEn | kCrDlyIrqEn | kCrErrIrqEn);
          if (v & kCrRunStop) {
            if (!(c.sr & kSrErrors)) c.sr &= ~kSrHalted;
          } else {
            c.sr |= kSrHalted;
            c.pending = false;
          }
          break;
        case kMm2sDmasr: c.sr &= ~(v & kSrIrqs); break;  // write 1 to clear
        case kMm2sSa: c.address = (c.address & ~uint64_t{0xffffffff}) | v; break;
        case kMm2sSaMsb: c.address = (c.address & 0xffffffff) | (uint64_t{v} << 32); break;
        case kMm2sLength: {
          const uint32_t len = v & ((1u << map.dma_length_bits) - 1);
          if ((c.sr & kSrHalted) || len == 0) return;  // no effect while halted (PG021)
          c.length = len;
          c.pending = true;
          c.sr &= ~kSrIdle;
          break;
        }
        default: break;
      }
    }
    cv.notify_all();
  }

  uint32_t ReadAccel(uint32_t offset) {
    std::lock_guard<std::mutex> lock(m);
    if (offset == kAccelInputHandlerState) return input_handler_state;
    if (offset == kAccelSchedulerState) return scheduler_state;
    return 0;
  }

  // -- the engines (the model's thread) --

  // Byte range of the model's buffer mapping, or null (a DECERR on a board).
  uint8_t* At(uint64_t address, uint64_t bytes) {
    if (address < buffers->phys() || address + bytes > buffers->phys() + buffers->size()) return nullptr;
    return buffers->data() + (address - buffers->phys());
  }

  static void Fail(ChannelRegs& c, uint32_t error) {
    c.sr = (c.sr | kSrHalted | error | kSrErrIrq) & ~kSrIdle;
    c.cr &= ~kCrRunStop;
    c.pending = false;
  }
  static void Complete(ChannelRegs& c) {
    c.sr |= kSrIdle | kSrIocIrq;
    c.pending = false;
  }

  // Returns the fault for the n-th transfer of one direction, if any.
  bool Faulted(ModelFault::Kind error, ModelFault::Kind stall, int64_t n, ChannelRegs& c, uint32_t error_bit) {
    if (options.fault.at != n) return false;
    if (options.fault.kind == error) {
      Fail(c, error_bit);
      return true;
    }
    if (options.fault.kind == stall) {
      c.pending = false;  // accepted, never completes
      return true;
    }
    return false;
  }

  bool ServeMm2s() {
    bool progressed = false;
    for (int q = 0; q < 4; ++q) {
      ChannelRegs& c = dma[q].mm2s;
      if (!c.pending) continue;
      progressed = true;
      if (Faulted(ModelFault::Kind::kMm2sError, ModelFault::Kind::kMm2sStall, ++mm2s_transfers, c, kSrDmaSlvErr))
        continue;
      const uint8_t* src = At(c.address, c.length);
      if (!src || c.length % 4 != 0) {  // outside memory, or not whole 32-bit stream words
        Fail(c, src ? kSrDmaIntErr : kSrDmaDecErr);
        continue;
      }
      for (uint32_t b = 0; b < c.length; b += 4) {
        uint32_t w;
        std::memcpy(&w, src + b, 4);
        in[q].push_back(w);
      }
      Complete(c);
    }
    return progressed;
  }

  bool ServeS2mm() {
    bool progressed = false;
    for (int q = 0; q < 4; ++q) {
      ChannelRegs& c = dma[q].s2mm;
      if (!c.pending || packets[q].empty()) continue;
      progressed = true;
      const size_t packet = packets[q].front();
      packets[q].pop_front();
      std::vector<uint32_t> words(out[q].begin(), out[q].begin() + static_cast<std::ptrdiff_t>(packet));
      out[q].erase(out[q].begin(), out[q].begin() + static_cast<std::ptrdiff_t>(packet));
      const int64_t n = ++s2mm_transfers;
      if (Faulted(ModelFault::Kind::kS2mmError, ModelFault::Kind::kS2mmStall, n, c, kSrDmaIntErr)) continue;
      if (options.fault.kind == ModelFault::Kind::kShortOutput && options.fault.at == n)
        words.resize(std::max<size_t>(1, words.size() / 2));  // TLAST came early
      uint8_t* dst = At(c.address, 4 * uint64_t{words.size()});
      if (!dst || 4 * words.size() > c.length) {  // outside memory, or the packet overflows the buffer
        Fail(c, dst ? kSrDmaIntErr : kSrDmaDecErr);
        continue;
      }
      std::memcpy(dst, words.data(), 4 * words.size());
      c.length = static_cast<uint32_t>(4 * words.size());
      Complete(c);
    }
    return progressed;
  }

  // Decodes and executes every complete command (the lock is released while
  // the inner backend runs, so the host can poll meanwhile).
  bool ExecuteCommands(std::unique_lock<std::mutex>& lock) {
    bool progressed = false;
    while (failure.empty()) {
      std::optional<accel::Command> cmd;
      try {
        cmd = decoder.Next(in);
      } catch (const std::exception& e) {
        failure = e.what();
        break;
      }
      if (!cmd) break;
      progressed = true;
      input_handler_state = cmd->op == accel::Opcode::kCompute ? 4 : 3;
      scheduler_state = cmd->op == accel::Opcode::kCompute ? 5 : 0;
      accel::StreamWordsT result;
      lock.unlock();
      std::string error;
      try {
        inner->Execute(*cmd, cmd->op == accel::Opcode::kCompute ? &result : nullptr);
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      input_handler_state = 1;
      scheduler_state = 0;
      if (!error.empty()) {
        failure = error;  // the accelerator hangs: the host's waits time out
        break;
      }
      for (int q = 0; q < 4; ++q) {
        if (result[q].empty()) continue;
        out[q].insert(out[q].end(), result[q].begin(), result[q].end());
        packets[q].push_back(result[q].size());  // TLAST on the last word
      }
    }
    return progressed;
  }

  void Run() {
    std::unique_lock<std::mutex> lock(m);
    while (!stop) {
      bool progressed = ServeMm2s();
      progressed |= ExecuteCommands(lock);
      progressed |= ServeS2mm();
      if (!progressed) cv.wait_for(lock, std::chrono::milliseconds(20));
    }
  }

  platform::DeviceAddressMap map;
  Options options;
  accel::StreamDecoder decoder;
  std::unique_ptr<accel::Backend> inner;
  std::shared_ptr<PhysicalMemory> model_memory, backend_memory;
  std::unique_ptr<MappedRange> buffers;

  std::mutex m;
  std::condition_variable cv;
  bool stop = false;
  std::array<Dma, 4> dma;
  accel::StreamQueues in;
  std::array<std::deque<uint32_t>, 4> out;
  std::array<std::deque<size_t>, 4> packets;
  int64_t mm2s_transfers = 0, s2mm_transfers = 0;
  uint32_t input_handler_state = 1, scheduler_state = 0;
  std::string failure;  // why the modelled accelerator stopped
  std::thread thread;
};

namespace {

class ModelDmaWindow final : public RegisterWindow {
 public:
  ModelDmaWindow(std::shared_ptr<RegisterLevelModel::Impl> impl, int index) : impl_(std::move(impl)), index_(index) {}
  uint32_t Read32(uint32_t offset) override { return impl_->ReadDma(index_, offset); }
  void Write32(uint32_t offset, uint32_t value) override { impl_->WriteDma(index_, offset, value); }

 private:
  std::shared_ptr<RegisterLevelModel::Impl> impl_;
  int index_;
};

class ModelAccelWindow final : public RegisterWindow {
 public:
  explicit ModelAccelWindow(std::shared_ptr<RegisterLevelModel::Impl> impl) : impl_(std::move(impl)) {}
  uint32_t Read32(uint32_t offset) override { return impl_->ReadAccel(offset); }
  void Write32(uint32_t, uint32_t) override {}  // status registers only (reference §2.7)

 private:
  std::shared_ptr<RegisterLevelModel::Impl> impl_;
};

}  // namespace

RegisterLevelModel::RegisterLevelModel(const accel::AcceleratorConfig& config, const platform::DeviceAddressMap& map,
                                       Options options)
    : impl_(std::make_shared<Impl>(config, map, std::move(options))) {
  impl_->thread = std::thread([impl = impl_.get()] { impl->Run(); });
}

RegisterLevelModel::~RegisterLevelModel() {
  {
    std::lock_guard<std::mutex> lock(impl_->m);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  impl_->thread.join();
}

DeviceIo RegisterLevelModel::Io() {
  DeviceIo io;
  io.accel = std::make_unique<ModelAccelWindow>(impl_);
  for (int i = 0; i < 4; ++i) io.dma.push_back(std::make_unique<ModelDmaWindow>(impl_, i));
  io.memory = impl_->backend_memory;
  io.description = "register-level model (" + impl_->options.backend + ")";
  Impl* impl = impl_.get();
  io.read_counters = [impl] {
    std::lock_guard<std::mutex> lock(impl->m);
    return impl->inner->stats();
  };
  io.reset_counters = [impl] {
    std::lock_guard<std::mutex> lock(impl->m);
    impl->inner->ResetStats();
  };
  io.diagnostics = [impl] {
    std::lock_guard<std::mutex> lock(impl->m);
    return impl->failure.empty() ? std::string() : "device model: " + impl->failure;
  };
  return io;
}

RegisterLevelModel::Options RegisterLevelModel::OptionsFromEnv() {
  Options o;
  if (const char* env = std::getenv(kDeviceFaultEnv); env && *env) o.fault = ModelFault::Parse(env);
  if (const char* env = std::getenv(kDeviceModelBackendEnv); env && *env) o.backend = env;
  return o;
}

std::unique_ptr<accel::Backend> MakeModelledDevice(const accel::AcceleratorConfig& config,
                                                   const platform::DeviceAddressMap& map,
                                                   RegisterLevelModel::Options model_options,
                                                   DeviceOptions device_options) {
  auto model = std::make_shared<RegisterLevelModel>(config, map, std::move(model_options));
  auto backend = std::make_unique<DeviceBackend>(config, map, model->Io(), device_options, model);
  backend->set_name("device-model");
  return backend;
}

namespace {

const bool kDeviceModelRegistered = [] {
  accel::RegisterBackend(
      "device-model",
      "the device backend's code against a register-level model of the board's DMAs and accelerator (no board needed)",
      [](const accel::AcceleratorConfig& c) {
        return MakeModelledDevice(c, DeviceAddressMapFor(c), RegisterLevelModel::OptionsFromEnv(),
                                  DeviceOptionsFromEnv());
      });
  return true;
}();

}  // namespace

}  // namespace potacc::device
