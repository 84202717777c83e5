// Operator versions as TFLite's converter writes them (its op_version.cc
// rules, for the operators and features potacc models use): an int8
// CONV_2D is version 3, an int8 FULLY_CONNECTED 4 (5 with keep_num_dims,
// 6 without bias), BATCH_MATMUL int8 2, GELU int8 2, and so on. An operator
// code's version is the largest version any of its nodes needs.
#pragma once

#include <cstdint>

#include "potacc/model.h"

namespace potacc {

// Version the converter would record for this node of model.main().
int ConverterOpVersion(const Model& model, const Operator& op);

// Sets every operator code of `model` to the largest ConverterOpVersion of
// its nodes (codes no node uses keep their version).
void SetConverterOpVersions(Model& model);

}  // namespace potacc
