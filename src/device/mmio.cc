#include "potacc/device/mmio.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>

#include "potacc/error.h"
#include "potacc/util/hex.h"

namespace potacc::device {

MappedRange::MappedRange(void* base, uint64_t map_bytes, uint8_t* data, uint64_t phys, uint64_t bytes)
    : base_(base), map_bytes_(map_bytes), data_(data), phys_(phys), bytes_(bytes) {}

MappedRange::~MappedRange() { ::munmap(base_, static_cast<size_t>(map_bytes_)); }

PhysicalMemory::PhysicalMemory(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_SYNC | O_CLOEXEC);
  if (fd_ < 0) {
    const int err = errno;
    std::string hint;
    if (err == ENOENT) hint = " (no such device: is this the board, and is the path right?)";
    if (err == EACCES || err == EPERM) hint = " (run as root on the board)";
    throw Error("device: cannot open " + path + ": " + std::strerror(err) + hint);
  }
}

PhysicalMemory::~PhysicalMemory() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<MappedRange> PhysicalMemory::Map(uint64_t phys, uint64_t bytes, const std::string& what) {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t start = phys / page * page;
  const uint64_t span = phys - start + bytes;
  Check(bytes > 0 && start <= static_cast<uint64_t>(std::numeric_limits<off_t>::max()) &&
            span <= std::numeric_limits<size_t>::max(),
        "device: cannot map " + what + " at " + Hex(phys) + " (" + std::to_string(bytes) +
            " bytes) in this process's address space");
  void* base = ::mmap(nullptr, static_cast<size_t>(span), PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                      static_cast<off_t>(start));
  if (base == MAP_FAILED) {
    throw Error("device: cannot map " + what + " at " + Hex(phys) + " from " + path_ + ": " +
                std::strerror(errno));
  }
  return std::make_unique<MappedRange>(base, span, static_cast<uint8_t*>(base) + (phys - start), phys, bytes);
}

void MmioBarrier() {
#if defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("dsb sy" ::: "memory");
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

uint32_t MmioWindow::Read32(uint32_t offset) {
  Check(offset % 4 == 0 && offset + 4 <= range_->size(), "device: register offset " + Hex(offset) + " outside its window");
  MmioBarrier();
  const uint32_t v = *reinterpret_cast<volatile const uint32_t*>(range_->data() + offset);
  MmioBarrier();
  return v;
}

void MmioWindow::Write32(uint32_t offset, uint32_t value) {
  Check(offset % 4 == 0 && offset + 4 <= range_->size(), "device: register offset " + Hex(offset) + " outside its window");
  MmioBarrier();
  *reinterpret_cast<volatile uint32_t*>(range_->data() + offset) = value;
  MmioBarrier();
}

}  // namespace potacc::device
