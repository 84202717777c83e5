// Instruction-set variants of the optimized kernels: one value chosen at run
// time so one binary runs everywhere (SIMD code is compiled per function with
// target attributes on x86, never with global -m flags; NEON is the ARM
// builds' baseline), and one selection mechanism every kernel shares:
//
//  * which variants this CPU runs: IsaSupported / SupportedIsas (x86: CPUID,
//    ARM: the kernel's HWCAP bits, what /proc/cpuinfo "Features" shows);
//  * which one runs: BestIsa() — the best supported one, or the one named by
//    POTACC_ISA; `--isa NAME` on the command line goes through ParseIsa too;
//  * which code a kernel runs for it: KernelIsa(isa, variants the kernel
//    implements) walks the variant's fallback chain
//      kAvx512Vnni -> kAvxVnni -> kAvx2 -> kPortable
//      kNeonDot -> kNeon -> kPortable
//    to the first one implemented (and compiled into this build).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace potacc::kernels {

enum class Isa : uint8_t { kPortable, kAvx2, kAvxVnni, kAvx512Vnni, kNeon, kNeonDot };
inline constexpr Isa kAllIsas[] = {Isa::kPortable,   Isa::kAvx2, Isa::kAvxVnni,
                                   Isa::kAvx512Vnni, Isa::kNeon, Isa::kNeonDot};
inline constexpr const char* kIsaEnv = "POTACC_ISA";

const char* IsaName(Isa isa);
// Whether this CPU runs `isa` (and this build has its kernels).
bool IsaSupported(Isa isa);
// Every variant this CPU can run, portable first, best last.
std::vector<Isa> SupportedIsas();
// The variant named `name` (as IsaName spells it); throws potacc::Error for
// an unknown name or one this CPU cannot run.
Isa ParseIsa(const std::string& name);
// The variant the kernels use by default, chosen once: POTACC_ISA=<IsaName>
// when set (through ParseIsa, so a variant this CPU cannot run throws
// potacc::Error), else the best supported one.
Isa BestIsa();

// The next variant below `isa` in its family (kPortable stays kPortable).
constexpr Isa FallbackIsa(Isa isa) {
  switch (isa) {
    case Isa::kAvx512Vnni: return Isa::kAvxVnni;
    case Isa::kAvxVnni: return Isa::kAvx2;
    case Isa::kNeonDot: return Isa::kNeon;
    default: return Isa::kPortable;
  }
}

// Whether this build contains the kernels of `isa`'s family.
constexpr bool IsaCompiled(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return true;
    case Isa::kAvx2:
    case Isa::kAvxVnni:
    case Isa::kAvx512Vnni:
#if defined(__x86_64__) || defined(__i386__)
      return true;
#else
      return false;
#endif
    case Isa::kNeon:
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
      return true;
#else
      return false;
#endif
    case Isa::kNeonDot:  // SDOT kernels: AArch64 builds only
#if defined(__aarch64__)
      return true;
#else
      return false;
#endif
  }
  return false;
}

// The variant a kernel that implements `implemented` (kPortable always,
// implicitly) runs when asked for `isa`.
constexpr Isa KernelIsa(Isa isa, std::initializer_list<Isa> implemented) {
  for (; isa != Isa::kPortable; isa = FallbackIsa(isa)) {
    if (!IsaCompiled(isa)) continue;
    for (Isa i : implemented) {
      if (i == isa) return isa;
    }
  }
  return Isa::kPortable;
}

}  // namespace potacc::kernels
