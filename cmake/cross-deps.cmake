# Dependencies of a cross build (CMAKE_CROSSCOMPILING), without target
# packages: the header-only libraries (flatbuffers, CLI11, nlohmann-json, stb)
# are used from the build machine's Debian packages through a staging folder
# that holds only them (never the host's /usr/include itself, whose libc
# headers are x86's); stb's implementation is compiled here; flatc runs on the
# build machine; GoogleTest is built from Debian's /usr/src/googletest.
set(POTACC_HOST_HEADERS "${CMAKE_BINARY_DIR}/host-headers")
file(MAKE_DIRECTORY "${POTACC_HOST_HEADERS}")
foreach(dir flatbuffers CLI nlohmann stb)
  if(NOT EXISTS "/usr/include/${dir}")
    message(FATAL_ERROR "cross build: /usr/include/${dir} is missing (run scripts/install-deps.sh)")
  endif()
  if(NOT EXISTS "${POTACC_HOST_HEADERS}/${dir}")
    file(CREATE_LINK "/usr/include/${dir}" "${POTACC_HOST_HEADERS}/${dir}" SYMBOLIC)
  endif()
endforeach()

find_program(POTACC_FLATC flatc REQUIRED)
add_executable(flatbuffers::flatc IMPORTED)
set_target_properties(flatbuffers::flatc PROPERTIES IMPORTED_LOCATION "${POTACC_FLATC}")

foreach(lib flatbuffers::flatbuffers nlohmann_json::nlohmann_json CLI11::CLI11)
  add_library(${lib} INTERFACE IMPORTED)
  set_target_properties(${lib} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${POTACC_HOST_HEADERS}")
endforeach()

set(STB_INCLUDE_DIR "${POTACC_HOST_HEADERS}")
file(WRITE "${CMAKE_BINARY_DIR}/stb_impl.cc.in"
     "// stb implementations (Debian's libstb.so on native builds)\n"
     "#define STB_IMAGE_IMPLEMENTATION\n#include <stb/stb_image.h>\n"
     "#define STB_IMAGE_WRITE_IMPLEMENTATION\n#include <stb/stb_image_write.h>\n")
configure_file("${CMAKE_BINARY_DIR}/stb_impl.cc.in" "${CMAKE_BINARY_DIR}/stb_impl.cc" COPYONLY)
add_library(potacc_stb STATIC "${CMAKE_BINARY_DIR}/stb_impl.cc")
target_include_directories(potacc_stb SYSTEM PRIVATE "${POTACC_HOST_HEADERS}")
target_compile_options(potacc_stb PRIVATE -w)
set(STB_LIBRARY potacc_stb)

find_package(Threads REQUIRED)

if(POTACC_BUILD_TESTS)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL)
  foreach(lib gtest gtest_main)
    if(NOT TARGET GTest::${lib})
      add_library(GTest::${lib} ALIAS ${lib})
    endif()
  endforeach()
endif()
