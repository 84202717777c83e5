// Cutting one operator (node) out of a model into a standalone single-op
// model, e.g. to run it alone in another runtime on the node's own inputs.
#pragma once

#include <string>

#include "potacc/model.h"

namespace potacc {

// A model holding node `node` of model's first subgraph alone, with the
// node's tensors exactly as they are (types, shapes, quantization, names),
// its options, operator code and version, and its constant inputs with their
// data. Its non-constant inputs become the graph inputs, in the order the
// node lists them (a tensor the node reads twice is one graph input); its
// outputs become the graph outputs. Intermediate tensors come along.
// Metadata and signatures are not carried over. Throws potacc::Error for a
// node index out of range or a node that reads or writes nothing.
Model ExtractNode(const Model& model, int node);

}  // namespace potacc
