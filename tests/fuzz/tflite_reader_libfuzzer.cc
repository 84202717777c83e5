// libFuzzer entry point for the TFLite reader, for manual runs (neither the
// CMake build, which needs no clang, nor CI builds it; every test run fuzzes
// the loader with reader_fuzz_test.cc instead). Build and run, e.g.:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I include -I src -I BUILD/generated
//       tests/fuzz/tflite_reader_libfuzzer.cc src/tflite/*.cc src/util/model.cc src/util/file.cc
//       src/quant/method.cc src/report/table.cc -o tflite_fuzzer
//   ./tflite_fuzzer -max_total_time=60 CORPUS_DIR   (seed CORPUS_DIR with .tflite files)
// Property: ReadModel returns or throws potacc::Error; accepted models can be
// described and round-trip through the writer.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "potacc/error.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const potacc::Model m = potacc::ReadModel(std::span<const uint8_t>(data, size), "fuzz");
    (void)potacc::DescribeModel(m);
    if (!(potacc::ReadModel(potacc::WriteModel(m), "rewrite") == m)) std::abort();
  } catch (const potacc::Error&) {
  }
  return 0;
}
