#include "potacc/kernels/isa.h"

#include <cstdlib>
#include <string>

#include "potacc/error.h"

#if defined(__arm__) || defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace potacc::kernels {
namespace {

// What the CPU reports, one flag per variant.
struct CpuFeatures {
  bool avx2 = false, avx_vnni = false, avx512_vnni = false, neon = false, neon_dot = false;
};

CpuFeatures DetectX86(CpuFeatures c) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  c.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  c.avx_vnni = c.avx2 && __builtin_cpu_supports("avxvnni");
  // (libgcc also checks that the OS saves the AVX-512 register state.)
  c.avx512_vnni = c.avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                  __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                  __builtin_cpu_supports("avx512vnni");
#endif
  return c;
}

// ARM: the kernel's hardware capability bits (getauxval(AT_HWCAP)).
CpuFeatures DetectArm(CpuFeatures c) {
#if defined(__aarch64__)
  // Advanced SIMD is part of ARMv8-A; SDOT/UDOT (ARMv8.2 "asimddp") is
  // optional: the Cortex-A53 of the KV260 does not have it.
  constexpr unsigned long kHwcapAsimdDp = 1ul << 20;  // HWCAP_ASIMDDP
  c.neon = true;
  c.neon_dot = (getauxval(AT_HWCAP) & kHwcapAsimdDp) != 0;
#elif defined(__arm__)
  constexpr unsigned long kHwcapNeon = 1ul << 12;  // HWCAP_NEON (32-bit ARM)
  c.neon = (getauxval(AT_HWCAP) & kHwcapNeon) != 0;
#endif
  return c;
}

const CpuFeatures& Cpu() {
  static const CpuFeatures f = DetectArm(DetectX86({}));
  return f;
}

std::string IsaList(const std::vector<Isa>& isas) {
  std::string s;
  for (Isa i : isas) s += (s.empty() ? "" : ", ") + std::string(IsaName(i));
  return s;
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return "portable";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvxVnni: return "avx-vnni";
    case Isa::kAvx512Vnni: return "avx512-vnni";
    case Isa::kNeon: return "neon";
    case Isa::kNeonDot: return "neon-dotprod";
  }
  return "unknown";
}

bool IsaSupported(Isa isa) {
  if (!IsaCompiled(isa)) return false;
  switch (isa) {
    case Isa::kPortable: return true;
    case Isa::kAvx2: return Cpu().avx2;
    case Isa::kAvxVnni: return Cpu().avx_vnni;
    case Isa::kAvx512Vnni: return Cpu().avx512_vnni;
    case Isa::kNeon: return Cpu().neon;
    case Isa::kNeonDot: return Cpu().neon && Cpu().neon_dot;
  }
  return false;
}

std::vector<Isa> SupportedIsas() {
  std::vector<Isa> isas;
  for (Isa isa : kAllIsas) {
    if (IsaSupported(isa)) isas.push_back(isa);
  }
  return isas;
}

Isa ParseIsa(const std::string& name) {
  for (Isa isa : kAllIsas) {
    if (name != IsaName(isa)) continue;
    Check(IsaSupported(isa), "this CPU cannot run instruction set '" + name + "' (it runs " +
                                 IsaList(SupportedIsas()) + ")");
    return isa;
  }
  throw Error("unknown instruction set '" + name + "' (known: " +
              IsaList({std::begin(kAllIsas), std::end(kAllIsas)}) + ")");
}

Isa BestIsa() {
  static const Isa best = [] {
    const char* env = std::getenv(kIsaEnv);
    if (!env || !*env) return SupportedIsas().back();
    try {
      return ParseIsa(env);
    } catch (const Error& e) {
      throw Error(std::string(kIsaEnv) + ": " + e.what());
    }
  }();
  return best;
}

}  // namespace potacc::kernels
