#include "potacc/tflite/reader.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <sstream>

#include "potacc/error.h"
#include "potacc/util/text.h"
#include "tflite/op_schema.h"
#include "tflite_schema_generated.h"

namespace potacc {
namespace {

using tflite_internal::GetOpSchema;
using tflite_internal::OpSchema;

// Converting the verified flatbuffer copies strings and vectors. A hostile file
// can point many vector entries at the same large table, so the copy is
// bounded by a budget proportional to the file size.
class CopyBudget {
 public:
  CopyBudget(const std::string& name, size_t file_size)
      : name_(name), left_(static_cast<int64_t>(file_size) * 4 + (int64_t{16} << 20)) {}
  void Spend(int64_t bytes) {
    left_ -= bytes + 64;  // + per-object overhead
    if (left_ < 0)
      throw InvalidModelError(name_ + ": file references the same data too many times "
                                      "(decoded size out of proportion to the file size)");
  }

 private:
  const std::string& name_;
  int64_t left_;
};

static_assert(FLATBUFFERS_LITTLEENDIAN, "the reader copies flatbuffer vectors as raw little-endian bytes");

// Copies the raw bytes: the flatbuffers Verifier only checks 4-byte alignment
// of a vector, so a hostile file can misalign the elements of an 8-byte
// vector (zero_point:[long]) and typed loads would be undefined behaviour.
template <typename T>
std::vector<T> CopyVector(const flatbuffers::Vector<T>* v, CopyBudget& budget) {
  if (v == nullptr) return {};
  budget.Spend(static_cast<int64_t>(v->size()) * static_cast<int64_t>(sizeof(T)));
  std::vector<T> out(v->size());
  if (!out.empty()) std::memcpy(out.data(), v->Data(), out.size() * sizeof(T));
  return out;
}

std::string CopyString(const flatbuffers::String* s, CopyBudget& budget) {
  if (s == nullptr) return {};
  budget.Spend(s->size());
  return s->str();
}

Activation ToActivation(::tflite::ActivationFunctionType a) { return static_cast<Activation>(a); }
Padding ToPadding(::tflite::Padding p) { return static_cast<Padding>(p); }

std::string OptionsName(::tflite::BuiltinOptions t) {
  const char* n = ::tflite::EnumNameBuiltinOptions(t);
  if (n != nullptr && *n != '\0') return n;
  return "options type " + std::to_string(static_cast<int>(t));
}

// Fills OpOptions from the operator's builtin options table (already verified).
void ReadOptions(const ::tflite::Operator& op, int32_t builtin, OpOptions& o, CopyBudget& budget,
                 const std::string& where) {
  const OpSchema schema = GetOpSchema(builtin);
  const auto type = op.builtin_options_type();
  if (type == ::tflite::BuiltinOptions::NONE || op.builtin_options() == nullptr) return;
  if (!schema.known) {
    o.unmodeled = OptionsName(type);  // carried as a name only: the writer refuses to drop it
    return;
  }
  if (type != schema.options) {
    throw InvalidModelError(where + " carries " + OptionsName(type) + ", expected " +
                            (schema.options == ::tflite::BuiltinOptions::NONE
                                 ? std::string("no options")
                                 : OptionsName(schema.options)));
  }
  o.has_options = true;
  using O = ::tflite::BuiltinOptions;
  switch (type) {
    case O::Conv2DOptions: {
      const auto* p = op.builtin_options_as_Conv2DOptions();
      o.padding = ToPadding(p->padding());
      o.stride_w = p->stride_w();
      o.stride_h = p->stride_h();
      o.activation = ToActivation(p->fused_activation_function());
      o.dilation_w = p->dilation_w_factor();
      o.dilation_h = p->dilation_h_factor();
      break;
    }
    case O::DepthwiseConv2DOptions: {
      const auto* p = op.builtin_options_as_DepthwiseConv2DOptions();
      o.padding = ToPadding(p->padding());
      o.stride_w = p->stride_w();
      o.stride_h = p->stride_h();
      o.depth_multiplier = p->depth_multiplier();
      o.activation = ToActivation(p->fused_activation_function());
      o.dilation_w = p->dilation_w_factor();
      o.dilation_h = p->dilation_h_factor();
      break;
    }
    case O::Pool2DOptions: {
      const auto* p = op.builtin_options_as_Pool2DOptions();
      o.padding = ToPadding(p->padding());
      o.stride_w = p->stride_w();
      o.stride_h = p->stride_h();
      o.filter_w = p->filter_width();
      o.filter_h = p->filter_height();
      o.activation = ToActivation(p->fused_activation_function());
      break;
    }
    case O::FullyConnectedOptions: {
      const auto* p = op.builtin_options_as_FullyConnectedOptions();
      o.activation = ToActivation(p->fused_activation_function());
      o.weights_format = static_cast<int8_t>(p->weights_format());
      o.keep_num_dims = p->keep_num_dims();
      break;
    }
    case O::SoftmaxOptions: o.beta = op.builtin_options_as_SoftmaxOptions()->beta(); break;
    case O::ConcatenationOptions: {
      const auto* p = op.builtin_options_as_ConcatenationOptions();
      o.axis = p->axis();
      o.activation = ToActivation(p->fused_activation_function());
      break;
    }
    case O::AddOptions:
      o.activation = ToActivation(op.builtin_options_as_AddOptions()->fused_activation_function());
      break;
    case O::MulOptions:
      o.activation = ToActivation(op.builtin_options_as_MulOptions()->fused_activation_function());
      break;
    case O::SubOptions:
      o.activation = ToActivation(op.builtin_options_as_SubOptions()->fused_activation_function());
      break;
    case O::GatherOptions: {
      const auto* p = op.builtin_options_as_GatherOptions();
      o.axis = p->axis();
      o.batch_dims = p->batch_dims();
      break;
    }
    case O::BatchMatMulOptions: {
      const auto* p = op.builtin_options_as_BatchMatMulOptions();
      o.adj_x = p->adj_x();
      o.adj_y = p->adj_y();
      o.asymmetric_quantize_inputs = p->asymmetric_quantize_inputs();
      break;
    }
    case O::GeluOptions: o.approximate = op.builtin_options_as_GeluOptions()->approximate(); break;
    case O::ReshapeOptions:
      o.new_shape = CopyVector(op.builtin_options_as_ReshapeOptions()->new_shape(), budget);
      break;
    case O::ReducerOptions: o.keep_dims = op.builtin_options_as_ReducerOptions()->keep_dims(); break;
    case O::SqueezeOptions:
      o.squeeze_dims = CopyVector(op.builtin_options_as_SqueezeOptions()->squeeze_dims(), budget);
      break;
    case O::StridedSliceOptions: {
      const auto* p = op.builtin_options_as_StridedSliceOptions();
      o.begin_mask = p->begin_mask();
      o.end_mask = p->end_mask();
      o.ellipsis_mask = p->ellipsis_mask();
      o.new_axis_mask = p->new_axis_mask();
      o.shrink_axis_mask = p->shrink_axis_mask();
      o.offset = p->offset();
      break;
    }
    case O::ShapeOptions:
      o.out_type = static_cast<DataType>(op.builtin_options_as_ShapeOptions()->out_type());
      break;
    case O::PackOptions: {
      const auto* p = op.builtin_options_as_PackOptions();
      o.values_count = p->values_count();
      o.axis = p->axis();
      break;
    }
    default: break;  // option tables without fields (PAD, QUANTIZE, ...)
  }
}

bool KnownDataType(int v) { return v >= 0 && v <= static_cast<int>(DataType::kFloat64); }

std::string TensorWhere(size_t subgraph, size_t index, const std::string& tensor_name) {
  std::string s = subgraph == 0 ? "" : "subgraph " + std::to_string(subgraph) + " ";
  s += "tensor " + std::to_string(index);
  if (!tensor_name.empty()) s += " '" + tensor_name + "'";
  return s;
}

std::string OpWhere(size_t subgraph, size_t index, int32_t builtin) {
  std::string s = subgraph == 0 ? "" : "subgraph " + std::to_string(subgraph) + " ";
  return s + "operator " + std::to_string(index) + " (" + BuiltinOpName(builtin) + ")";
}

Model Convert(const ::tflite::Model& fb, std::span<const uint8_t> bytes, const std::string& name) {
  CopyBudget budget(name, bytes.size());
  Model m;
  m.version = fb.version();
  m.description = CopyString(fb.description(), budget);

  if (fb.buffers() != nullptr) {
    m.buffers.reserve(fb.buffers()->size());
    for (flatbuffers::uoffset_t i = 0; i < fb.buffers()->size(); ++i) {
      const ::tflite::Buffer* b = fb.buffers()->Get(i);
      Buffer out;
      if (b != nullptr && b->offset() > 1) {
        // Large-model extension: the data follows the flatbuffer in the file.
        const uint64_t off = b->offset(), size = b->size();
        if (off > bytes.size() || size > bytes.size() - off)
          throw InvalidModelError(name + ": buffer " + std::to_string(i) + " points outside the file (offset " +
                                  std::to_string(off) + ", size " + std::to_string(size) + ", file " +
                                  std::to_string(bytes.size()) + " bytes)");
        budget.Spend(static_cast<int64_t>(size));
        out.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(off),
                        bytes.begin() + static_cast<std::ptrdiff_t>(off + size));
      } else if (b != nullptr) {
        out.data = CopyVector(b->data(), budget);
      }
      m.buffers.push_back(std::move(out));
    }
  }

  if (fb.operator_codes() != nullptr) {
    for (const ::tflite::OperatorCode* c : *fb.operator_codes()) {
      OperatorCode code;
      if (c != nullptr) {
        // Old files only set the byte-sized deprecated field; new ones set both
        // (deprecated = min(code, 127)), so the larger one is the real code.
        code.builtin = std::max<int32_t>(c->deprecated_builtin_code(), static_cast<int32_t>(c->builtin_code()));
        code.custom_code = CopyString(c->custom_code(), budget);
        code.version = c->version();
      }
      m.operator_codes.push_back(std::move(code));
    }
  }

  if (fb.subgraphs() == nullptr || fb.subgraphs()->size() == 0)
    throw InvalidModelError(name + ": model has no subgraphs");
  for (flatbuffers::uoffset_t si = 0; si < fb.subgraphs()->size(); ++si) {
    const ::tflite::SubGraph* sg = fb.subgraphs()->Get(si);
    Subgraph out;
    if (sg == nullptr) throw InvalidModelError(name + ": subgraph " + std::to_string(si) + " is null");
    out.name = CopyString(sg->name(), budget);
    out.inputs = CopyVector(sg->inputs(), budget);
    out.outputs = CopyVector(sg->outputs(), budget);
    if (sg->tensors() != nullptr) {
      out.tensors.reserve(sg->tensors()->size());
      for (flatbuffers::uoffset_t ti = 0; ti < sg->tensors()->size(); ++ti) {
        const ::tflite::Tensor* t = sg->tensors()->Get(ti);
        Tensor tensor;
        if (t == nullptr) throw InvalidModelError(name + ": " + TensorWhere(si, ti, "") + " is null");
        tensor.name = CopyString(t->name(), budget);
        const int type = static_cast<int>(t->type());
        if (!KnownDataType(type))
          throw UnsupportedError(name + ": " + TensorWhere(si, ti, tensor.name) + " has unsupported type " +
                                 std::string(::tflite::EnumNameTensorType(t->type())) + " (" +
                                 std::to_string(type) + ")");
        tensor.type = static_cast<DataType>(type);
        tensor.shape = CopyVector(t->shape(), budget);
        tensor.shape_signature = CopyVector(t->shape_signature(), budget);
        tensor.buffer = t->buffer();
        tensor.is_variable = t->is_variable();
        tensor.has_rank = t->has_rank();
        if (t->sparsity() != nullptr)
          throw UnsupportedError(name + ": " + TensorWhere(si, ti, tensor.name) + " is sparse (not supported)");
        if (const auto* q = t->quantization(); q != nullptr) {
          if (q->scale() != nullptr && q->scale()->size() > 0) {
            tensor.quant.scale = CopyVector(q->scale(), budget);
            tensor.quant.zero_point = CopyVector(q->zero_point(), budget);
            tensor.quant.quantized_dimension = q->quantized_dimension();
          }
          tensor.quant_min = CopyVector(q->min(), budget);
          tensor.quant_max = CopyVector(q->max(), budget);
        }
        out.tensors.push_back(std::move(tensor));
      }
    }
    if (sg->operators() != nullptr) {
      out.operators.reserve(sg->operators()->size());
      for (flatbuffers::uoffset_t oi = 0; oi < sg->operators()->size(); ++oi) {
        const ::tflite::Operator* op = sg->operators()->Get(oi);
        Operator o;
        if (op == nullptr) throw InvalidModelError(name + ": operator " + std::to_string(oi) + " is null");
        o.opcode_index = op->opcode_index();
        if (o.opcode_index >= m.operator_codes.size())
          throw InvalidModelError(name + ": operator " + std::to_string(oi) + " has opcode index " +
                                  std::to_string(o.opcode_index) + " but the model has " +
                                  std::to_string(m.operator_codes.size()) + " operator codes");
        o.builtin = m.operator_codes[o.opcode_index].builtin;
        o.inputs = CopyVector(op->inputs(), budget);
        o.outputs = CopyVector(op->outputs(), budget);
        ReadOptions(*op, o.builtin, o.options, budget, name + ": " + OpWhere(si, oi, o.builtin));
        o.custom_options = CopyVector(op->custom_options(), budget);
        o.intermediates = CopyVector(op->intermediates(), budget);
        o.mutating_variable_inputs = CopyVector(op->mutating_variable_inputs(), budget);
        out.operators.push_back(std::move(o));
      }
    }
    m.subgraphs.push_back(std::move(out));
  }

  if (fb.signature_defs() != nullptr) {
    const auto maps = [&](const flatbuffers::Vector<flatbuffers::Offset<::tflite::TensorMap>>* v) {
      std::vector<SignatureDef::TensorMap> out;
      if (v == nullptr) return out;
      for (const ::tflite::TensorMap* t : *v)
        if (t != nullptr) out.push_back({CopyString(t->name(), budget), t->tensor_index()});
      return out;
    };
    for (const ::tflite::SignatureDef* s : *fb.signature_defs()) {
      if (s == nullptr) continue;
      SignatureDef def;
      def.inputs = maps(s->inputs());
      def.outputs = maps(s->outputs());
      def.key = CopyString(s->signature_key(), budget);
      def.deprecated_tag = CopyString(s->deprecated_tag(), budget);
      def.subgraph_index = s->subgraph_index();
      m.signature_defs.push_back(std::move(def));
    }
  }

  // Metadata: name -> buffer contents. Buffers used only by metadata at the end
  // of the buffer list are dropped from Model::buffers (the writer appends them
  // again), so that a read/write/read round trip is the identity.
  if (fb.metadata() != nullptr) {
    std::set<uint32_t> metadata_buffers;
    for (const ::tflite::Metadata* md : *fb.metadata()) {
      if (md == nullptr) continue;
      const std::string key = CopyString(md->name(), budget);
      if (md->buffer() >= m.buffers.size())
        throw InvalidModelError(name + ": metadata '" + key + "' refers to buffer " + std::to_string(md->buffer()) +
                                " but the model has " + std::to_string(m.buffers.size()) + " buffers");
      if (m.metadata.count(key) != 0)
        throw InvalidModelError(name + ": metadata name '" + key + "' appears twice");
      budget.Spend(static_cast<int64_t>(m.buffers[md->buffer()].data.size()));
      m.metadata[key] = m.buffers[md->buffer()].data;
      metadata_buffers.insert(md->buffer());
    }
    std::set<uint32_t> tensor_buffers;
    for (const Subgraph& sg : m.subgraphs)
      for (const Tensor& t : sg.tensors) tensor_buffers.insert(t.buffer);
    while (!m.buffers.empty()) {
      const auto last = static_cast<uint32_t>(m.buffers.size() - 1);
      if (last == 0 || metadata_buffers.count(last) == 0 || tensor_buffers.count(last) != 0) break;
      m.buffers.pop_back();
    }
  }
  return m;
}

// a * b with a, b >= 0, saturating at limit + 1 so hostile shapes cannot overflow.
int64_t MulBounded(int64_t a, int64_t b, int64_t limit) {
  if (a == 0 || b == 0) return 0;
  if (a > (limit + 1) / b) return limit + 1;
  return std::min(a * b, limit + 1);
}

void ValidateQuant(const Tensor& t, const std::string& where) {
  const QuantParams& q = t.quant;
  if (q.scale.empty()) {
    if (!q.zero_point.empty()) throw InvalidModelError(where + " has zero points but no scales");
    return;
  }
  if (q.scale.size() != q.zero_point.size())
    throw InvalidModelError(where + " has " + std::to_string(q.scale.size()) + " quantization scales but " +
                            std::to_string(q.zero_point.size()) + " zero points");
  for (float s : q.scale)
    if (!std::isfinite(s) || s < 0.0f)
      throw InvalidModelError(where + " has an invalid quantization scale " + std::to_string(s));
  if (q.scale.size() > 1) {
    const int32_t dim = q.quantized_dimension;
    if (dim < 0 || static_cast<size_t>(dim) >= t.shape.size())
      throw InvalidModelError(where + " is quantized per channel along dimension " + std::to_string(dim) +
                              " but has rank " + std::to_string(t.shape.size()));
    if (static_cast<int64_t>(q.scale.size()) != t.shape[static_cast<size_t>(dim)])
      throw InvalidModelError(where + " has " + std::to_string(q.scale.size()) +
                              " per-channel scales but dimension " + std::to_string(dim) + " of shape " +
                              FormatShape(t.shape) + " is " + std::to_string(t.shape[static_cast<size_t>(dim)]));
  }
  // Zero points of 8/16-bit types must be representable in the type.
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  if (t.type == DataType::kInt8) lo = -128, hi = 127;
  if (t.type == DataType::kUInt8) lo = 0, hi = 255;
  if (t.type == DataType::kInt16) lo = -32768, hi = 32767;
  for (int64_t zp : q.zero_point)
    if (zp < lo || zp > hi)
      throw InvalidModelError(where + " has zero point " + std::to_string(zp) + " outside the range of " +
                              DataTypeName(t.type));
}

void ValidateOptions(const Operator& op, const std::string& where) {
  const OpOptions& o = op.options;
  if (!o.has_options) return;
  auto check_act = [&] {
    const int a = static_cast<int>(o.activation);
    if (a < 0 || a > static_cast<int>(Activation::kSignBit))
      throw InvalidModelError(where + " has unknown fused activation " + std::to_string(a));
  };
  auto check_spatial = [&](bool filter) {
    const int p = static_cast<int>(o.padding);
    if (p != 0 && p != 1) throw InvalidModelError(where + " has unknown padding " + std::to_string(p));
    if (o.stride_w < 1 || o.stride_h < 1)
      throw InvalidModelError(where + " has stride " + std::to_string(o.stride_h) + "x" +
                              std::to_string(o.stride_w) + " (must be >= 1)");
    if (o.dilation_w < 1 || o.dilation_h < 1)
      throw InvalidModelError(where + " has dilation " + std::to_string(o.dilation_h) + "x" +
                              std::to_string(o.dilation_w) + " (must be >= 1)");
    if (filter && (o.filter_w < 1 || o.filter_h < 1))
      throw InvalidModelError(where + " has filter size " + std::to_string(o.filter_h) + "x" +
                              std::to_string(o.filter_w) + " (must be >= 1)");
  };
  switch (op.op()) {
    case BuiltinOp::kConv2D: check_spatial(false); check_act(); break;
    case BuiltinOp::kDepthwiseConv2D:
      check_spatial(false);
      check_act();
      if (o.depth_multiplier < 1 && o.depth_multiplier != 0)
        throw InvalidModelError(where + " has depth multiplier " + std::to_string(o.depth_multiplier));
      break;
    case BuiltinOp::kAveragePool2D:
    case BuiltinOp::kMaxPool2D: check_spatial(true); check_act(); break;
    case BuiltinOp::kFullyConnected:
    case BuiltinOp::kAdd:
    case BuiltinOp::kMul:
    case BuiltinOp::kSub:
    case BuiltinOp::kConcatenation: check_act(); break;
    case BuiltinOp::kSoftmax:
      if (!std::isfinite(o.beta)) throw InvalidModelError(where + " has a non-finite beta");
      break;
    case BuiltinOp::kPack:
      if (o.values_count != static_cast<int32_t>(op.inputs.size()))
        throw InvalidModelError(where + " has values_count " + std::to_string(o.values_count) + " but " +
                                std::to_string(op.inputs.size()) + " inputs");
      break;
    default: break;
  }
}

}  // namespace

void ValidateModel(const Model& m, const std::string& name, const ReadLimits& limits) {
  if (m.subgraphs.empty()) throw InvalidModelError(name + ": model has no subgraphs");
  const std::string prefix = name + ": ";
  for (const SignatureDef& s : m.signature_defs) {
    const std::string where = prefix + "signature '" + s.key + "'";
    if (s.subgraph_index >= m.subgraphs.size())
      throw InvalidModelError(where + " refers to subgraph " + std::to_string(s.subgraph_index) + " but the model has " +
                              std::to_string(m.subgraphs.size()));
    for (const auto* maps : {&s.inputs, &s.outputs})
      for (const SignatureDef::TensorMap& t : *maps)
        if (t.tensor_index >= m.subgraphs[s.subgraph_index].tensors.size())
          throw InvalidModelError(where + " maps '" + t.name + "' to tensor " + std::to_string(t.tensor_index) +
                                  " but its subgraph has " +
                                  std::to_string(m.subgraphs[s.subgraph_index].tensors.size()) + " tensors");
  }
  // A model that takes or gives nothing cannot be run, compared or evaluated.
  if (m.main().inputs.empty()) throw InvalidModelError(prefix + "model has no inputs");
  if (m.main().outputs.empty()) throw InvalidModelError(prefix + "model has no outputs");
  for (size_t i = 0; i < m.operator_codes.size(); ++i)
    if (m.operator_codes[i].builtin < 0)
      throw InvalidModelError(prefix + "operator code " + std::to_string(i) + " has invalid builtin code " +
                              std::to_string(m.operator_codes[i].builtin));
  for (size_t si = 0; si < m.subgraphs.size(); ++si) {
    const Subgraph& sg = m.subgraphs[si];
    const auto num_tensors = static_cast<int64_t>(sg.tensors.size());
    int64_t activation_bytes = 0;
    for (size_t ti = 0; ti < sg.tensors.size(); ++ti) {
      const Tensor& t = sg.tensors[ti];
      const std::string where = prefix + TensorWhere(si, ti, t.name);
      if (!KnownDataType(static_cast<int>(t.type)))
        throw UnsupportedError(where + " has unsupported type " + std::to_string(static_cast<int>(t.type)));
      if (static_cast<int>(t.shape.size()) > limits.max_rank)
        throw InvalidModelError(where + " has rank " + std::to_string(t.shape.size()) + " (at most " +
                                std::to_string(limits.max_rank) + " supported)");
      // Zero-sized dimensions count as 1 for the bound, so that the product of
      // the other dimensions can never overflow in code that multiplies them
      // before reaching the zero.
      int64_t elements = 1, bounded = 1;
      for (int32_t d : t.shape) {
        if (d < 0) throw InvalidModelError(where + " has a negative dimension in shape " + FormatShape(t.shape));
        elements = MulBounded(elements, d, limits.max_tensor_bytes);
        bounded = MulBounded(bounded, std::max(d, 1), limits.max_tensor_bytes);
      }
      if (bounded > limits.max_tensor_bytes)
        throw InvalidModelError(where + " with shape " + FormatShape(t.shape) + " is larger than " +
                                std::to_string(limits.max_tensor_bytes >> 20) + " MiB");
      const int elem_size = DataTypeSize(t.type);
      const int64_t bytes = MulBounded(elements, std::max(elem_size, 1), limits.max_tensor_bytes);
      if (bytes > limits.max_tensor_bytes)
        throw InvalidModelError(where + " with shape " + FormatShape(t.shape) + " is larger than " +
                                std::to_string(limits.max_tensor_bytes >> 20) + " MiB");
      if (t.buffer >= m.buffers.size())
        throw InvalidModelError(where + " refers to buffer " + std::to_string(t.buffer) + " but the model has " +
                                std::to_string(m.buffers.size()) + " buffers");
      const auto& data = m.buffers[t.buffer].data;
      if (!data.empty()) {
        if (elem_size > 0 && static_cast<int64_t>(data.size()) != bytes)
          throw InvalidModelError(where + ": buffer " + std::to_string(t.buffer) + " holds " +
                                  std::to_string(data.size()) + " bytes, expected " + std::to_string(bytes) + " (" +
                                  DataTypeName(t.type) + " " + FormatShape(t.shape) + ")");
      } else {
        activation_bytes += bytes;
        if (activation_bytes > limits.max_activation_bytes)
          throw InvalidModelError(prefix + "non-constant tensors need more than " +
                                  std::to_string(limits.max_activation_bytes >> 20) + " MiB");
      }
      ValidateQuant(t, where);
    }
    auto check_index = [&](int32_t idx, const std::string& what) {
      if (idx < 0 || idx >= num_tensors)
        throw InvalidModelError(prefix + what + " refers to tensor " + std::to_string(idx) + " but the " +
                                (si == 0 ? std::string("model") : "subgraph " + std::to_string(si)) + " has " +
                                std::to_string(num_tensors) + " tensors");
    };
    const std::string sg_name = si == 0 ? std::string() : "subgraph " + std::to_string(si) + " ";
    for (size_t i = 0; i < sg.inputs.size(); ++i) check_index(sg.inputs[i], sg_name + "input " + std::to_string(i));
    for (size_t i = 0; i < sg.outputs.size(); ++i)
      check_index(sg.outputs[i], sg_name + "output " + std::to_string(i));
    for (size_t oi = 0; oi < sg.operators.size(); ++oi) {
      const Operator& op = sg.operators[oi];
      const std::string where = OpWhere(si, oi, op.builtin);
      if (op.opcode_index >= m.operator_codes.size())
        throw InvalidModelError(prefix + where + " has opcode index " + std::to_string(op.opcode_index) +
                                " but the model has " + std::to_string(m.operator_codes.size()) + " operator codes");
      if (m.operator_codes[op.opcode_index].builtin != op.builtin)
        throw InvalidModelError(prefix + where + " does not match its operator code " +
                                BuiltinOpName(m.operator_codes[op.opcode_index].builtin));
      const OpSchema schema = GetOpSchema(op.builtin);
      for (size_t i = 0; i < op.inputs.size(); ++i) {
        if (op.inputs[i] == -1 && (!schema.known || static_cast<int>(i) == schema.optional_input)) continue;
        check_index(op.inputs[i], where + " input " + std::to_string(i));
      }
      for (size_t i = 0; i < op.outputs.size(); ++i) check_index(op.outputs[i], where + " output " + std::to_string(i));
      if (schema.known) {
        const int ni = static_cast<int>(op.inputs.size()), no = static_cast<int>(op.outputs.size());
        if (ni < schema.min_inputs || (schema.max_inputs >= 0 && ni > schema.max_inputs)) {
          std::string expected = std::to_string(schema.min_inputs);
          if (schema.max_inputs != schema.min_inputs)
            expected += schema.max_inputs < 0 ? " or more" : " to " + std::to_string(schema.max_inputs);
          throw InvalidModelError(prefix + where + " has " + std::to_string(ni) + " inputs, expected " + expected);
        }
        if (no < schema.min_outputs || no > schema.max_outputs)
          throw InvalidModelError(prefix + where + " has " + std::to_string(no) + " outputs, expected " +
                                  std::to_string(schema.min_outputs));
        ValidateOptions(op, prefix + where);
      }
    }
  }
}

Model ReadModel(std::span<const uint8_t> bytes, const std::string& name, const ReadLimits& limits) {
  if (bytes.size() < 8) throw InvalidModelError(name + ": file too small to be a TFLite model (" +
                                                std::to_string(bytes.size()) + " bytes)");
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    throw InvalidModelError(name + ": file larger than 2 GiB is not a valid flatbuffer");
  if (!::tflite::ModelBufferHasIdentifier(bytes.data()))
    throw InvalidModelError(name + ": not a TFLite model (file identifier is not 'TFL3')");

  // flatbuffers reads scalars in place; give it 16-byte aligned storage.
  std::vector<uint8_t> aligned_copy;
  std::span<const uint8_t> data = bytes;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % 16 != 0) {
    aligned_copy.assign(bytes.begin(), bytes.end());  // std::allocator aligns to >= 16
    data = aligned_copy;
  }
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 32;
  opts.max_tables = 4'000'000;
  opts.check_alignment = true;
  flatbuffers::Verifier verifier(data.data(), data.size(), opts);
  if (!::tflite::VerifyModelBuffer(verifier))
    throw InvalidModelError(name + ": corrupt TFLite flatbuffer (structure verification failed)");

  Model m = Convert(*::tflite::GetModel(data.data()), data, name);
  ValidateModel(m, name, limits);
  return m;
}

Model LoadModel(const std::string& path, const ReadLimits& limits) {
  const std::vector<uint8_t> bytes = ReadFileBytes(path);
  return ReadModel(bytes, path, limits);
}

}  // namespace potacc
