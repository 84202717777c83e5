// Memory-mapped I/O for the device backend: 32-bit register windows and
// physically addressed memory, both reached through /dev/mem on a board (or
// a file standing in for it, see register_model.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace potacc::device {

// A block of 32-bit device registers (an AXI-Lite slave). Real hardware
// gives every register its own semantics (read-only bits, write-1-to-clear
// bits, writes that start transfers), which is why register access goes
// through this interface: on a board it is MmioWindow, in tests the
// register-level model implements the same semantics (register_model.h).
class RegisterWindow {
 public:
  virtual ~RegisterWindow() = default;
  virtual uint32_t Read32(uint32_t offset) = 0;
  virtual void Write32(uint32_t offset, uint32_t value) = 0;
};

// A mapped range of physical memory (munmap on destruction).
class MappedRange {
 public:
  MappedRange(void* base, uint64_t map_bytes, uint8_t* data, uint64_t phys, uint64_t bytes);
  ~MappedRange();
  MappedRange(const MappedRange&) = delete;
  MappedRange& operator=(const MappedRange&) = delete;

  uint8_t* data() const { return data_; }
  uint64_t phys() const { return phys_; }
  uint64_t size() const { return bytes_; }

 private:
  void* base_;
  uint64_t map_bytes_;
  uint8_t* data_;
  uint64_t phys_, bytes_;
};

// Physical memory through a character device or file: /dev/mem on a board
// (opened O_SYNC, so mappings are uncached: see docs/board.md), or a sparse
// file standing in for it. Offsets in the file are physical addresses.
class PhysicalMemory {
 public:
  // Throws potacc::Error naming the path and the likely cause.
  explicit PhysicalMemory(const std::string& path);
  ~PhysicalMemory();
  PhysicalMemory(const PhysicalMemory&) = delete;
  PhysicalMemory& operator=(const PhysicalMemory&) = delete;

  // Maps [phys, phys + bytes) read/write; `what` names it in errors.
  std::unique_ptr<MappedRange> Map(uint64_t phys, uint64_t bytes, const std::string& what);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// Full barrier between CPU accesses to DMA buffers and device registers
// (DSB on ARM, so buffer writes reach memory before a register write starts
// the DMA that reads them).
void MmioBarrier();

// Registers of a mapped range: volatile 32-bit accesses with barriers.
class MmioWindow final : public RegisterWindow {
 public:
  explicit MmioWindow(std::unique_ptr<MappedRange> range) : range_(std::move(range)) {}
  uint32_t Read32(uint32_t offset) override;
  void Write32(uint32_t offset, uint32_t value) override;

 private:
  std::unique_ptr<MappedRange> range_;
};

}  // namespace potacc::device
