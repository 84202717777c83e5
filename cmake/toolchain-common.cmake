# Shared part of the cross toolchain files: Debian's cross compilers, a fully
# static executable (runs on any board image, whatever its glibc), and
# programs such as flatc taken from the build machine.
set(CMAKE_C_COMPILER ${POTACC_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${POTACC_CROSS_TRIPLE}-g++)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_FIND_ROOT_PATH /usr/${POTACC_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
