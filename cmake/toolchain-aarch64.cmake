# Cross build for the KV260's Cortex-A53 (AArch64) with Debian's
# g++-aarch64-linux-gnu: plain ARMv8-A code (Advanced SIMD is part of it).
# Used by scripts/cross.sh aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(POTACC_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_CXX_FLAGS_INIT "-mtune=cortex-a53")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -cpu cortex-a53)
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
