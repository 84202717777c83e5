// Registry of model generators used by `potacc gen <name>`. A generator is a
// function GenOptions -> Model registered once, from any .cc file under src/:
//
//   POTACC_REGISTER_GENERATOR("resnet20", "CIFAR-10 ResNet-20 (int8, random weights)",
//       {{"width", "16", "channels of the first stage"}},
//       [](const potacc::GenOptions& o) { return BuildResNet20(o.Int("width"), o.seed); });
//
// Each generator declares its parameters (name without "--", default value,
// help); `potacc gen NAME --param value` fills GenOptions and unknown
// parameters are rejected with a clear error.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "potacc/model.h"

namespace potacc {

struct GenParam {
  std::string name;           // flag name without "--", e.g. "cout"
  std::string default_value;  // as text
  std::string help;
};

struct GenOptions {
  uint64_t seed = 1;
  std::map<std::string, std::string> values;  // every declared parameter, defaults filled in

  // Typed access; throw potacc::Error naming --<name> if absent or malformed.
  int64_t Int(const std::string& name) const;
  double Float(const std::string& name) const;
  bool Bool(const std::string& name) const;  // true/false/1/0/yes/no
  const std::string& Str(const std::string& name) const;
};

using GeneratorFn = std::function<Model(const GenOptions&)>;

struct GeneratorInfo {
  std::string name;
  std::string description;
  std::vector<GenParam> params;
  GeneratorFn fn;
};

void RegisterGenerator(const std::string& name, const std::string& description, std::vector<GenParam> params,
                       GeneratorFn fn);
inline void RegisterGenerator(const std::string& name, const std::string& description, GeneratorFn fn) {
  RegisterGenerator(name, description, {}, std::move(fn));
}

// nullptr if unknown.
const GeneratorInfo* FindGenerator(const std::string& name);
// Sorted by name.
std::vector<const GeneratorInfo*> AllGenerators();

// Runs a generator: fills defaults for missing parameters, rejects unknown
// ones (potacc::Error listing the valid ones) and unknown generator names.
Model Generate(const std::string& name, uint64_t seed, const std::map<std::string, std::string>& values = {});

struct GeneratorRegistrar {
  GeneratorRegistrar(const std::string& name, const std::string& description, std::vector<GenParam> params,
                     GeneratorFn fn) {
    RegisterGenerator(name, description, std::move(params), std::move(fn));
  }
};

#define POTACC_GEN_CONCAT_INNER(a, b) a##b
#define POTACC_GEN_CONCAT(a, b) POTACC_GEN_CONCAT_INNER(a, b)
// POTACC_REGISTER_GENERATOR(name, description, {params...}, fn)
#define POTACC_REGISTER_GENERATOR(NAME, DESCRIPTION, PARAMS, FN)                                        \
  static const ::potacc::GeneratorRegistrar POTACC_GEN_CONCAT(potacc_generator_, __COUNTER__)(NAME, DESCRIPTION, \
                                                                                            PARAMS, FN)

}  // namespace potacc
