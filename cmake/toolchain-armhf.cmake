# Cross build for the PYNQ-Z2's Cortex-A9 (32-bit ARM, hard float, NEON) with
# Debian's g++-arm-linux-gnueabihf. Used by scripts/cross.sh armhf.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(POTACC_CROSS_TRIPLE arm-linux-gnueabihf)
set(CMAKE_CXX_FLAGS_INIT "-mcpu=cortex-a9 -mfpu=neon -mfloat-abi=hard")
# Tests run under Debian's qemu-user, emulating the board's core.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -cpu cortex-a9)
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
