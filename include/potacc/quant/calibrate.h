// Activation statistics for the activation-aware requantization search
// and bias correction (RequantizeOptions::input_stats).
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "potacc/io/dataset.h"
#include "potacc/io/preprocess.h"
#include "potacc/model.h"
#include "potacc/quant/requantize.h"
#include "potacc/util/progress.h"

namespace potacc::quant {

// Runs the model on `count` images of `data` starting at `first` and returns,
// for every CONV_2D / FULLY_CONNECTED node, the mean and mean square of each
// input channel (real units; the channel is the index modulo the weights'
// last dimension: C_in of NHWC conv inputs, the feature of FC inputs).
std::map<int, InputStats> CollectInputStats(const Model& model, const io::Dataset& data,
                                            const io::Preprocess& preprocess, size_t first, size_t count,
                                            const ProgressCallback& progress = {});

}  // namespace potacc::quant
