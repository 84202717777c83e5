#include "potacc/tflite/generators.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "potacc/error.h"

namespace potacc {
namespace {

std::map<std::string, GeneratorInfo>& GeneratorRegistry() {
  static std::map<std::string, GeneratorInfo> registry;
  return registry;
}

const std::string& Lookup(const GenOptions& o, const std::string& name) {
  auto it = o.values.find(name);
  if (it == o.values.end()) throw Error("generator option --" + name + " is not defined");
  return it->second;
}

}  // namespace

int64_t GenOptions::Int(const std::string& name) const {
  const std::string& v = Lookup(*this, name);
  errno = 0;
  char* end = nullptr;
  const long long r = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || end == nullptr || *end != '\0' || errno != 0)
    throw Error("--" + name + ": expected an integer, got '" + v + "'");
  return r;
}

double GenOptions::Float(const std::string& name) const {
  const std::string& v = Lookup(*this, name);
  errno = 0;
  char* end = nullptr;
  const double r = std::strtod(v.c_str(), &end);
  if (v.empty() || end == nullptr || *end != '\0' || errno != 0)
    throw Error("--" + name + ": expected a number, got '" + v + "'");
  return r;
}

bool GenOptions::Bool(const std::string& name) const {
  const std::string& v = Lookup(*this, name);
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  throw Error("--" + name + ": expected true or false, got '" + v + "'");
}

const std::string& GenOptions::Str(const std::string& name) const { return Lookup(*this, name); }

void RegisterGenerator(const std::string& name, const std::string& description, std::vector<GenParam> params,
                       GeneratorFn fn) {
  // A later registration under the same name replaces the earlier one.
  GeneratorRegistry()[name] = GeneratorInfo{name, description, std::move(params), std::move(fn)};
}

const GeneratorInfo* FindGenerator(const std::string& name) {
  auto it = GeneratorRegistry().find(name);
  return it == GeneratorRegistry().end() ? nullptr : &it->second;
}

std::vector<const GeneratorInfo*> AllGenerators() {
  std::vector<const GeneratorInfo*> all;
  for (const auto& [name, info] : GeneratorRegistry()) all.push_back(&info);
  return all;
}

Model Generate(const std::string& name, uint64_t seed, const std::map<std::string, std::string>& values) {
  const GeneratorInfo* g = FindGenerator(name);
  if (g == nullptr) {
    std::string known;
    for (const GeneratorInfo* info : AllGenerators()) known += (known.empty() ? "" : ", ") + info->name;
    throw Error("unknown generator '" + name + "' (available: " + known + ")");
  }
  GenOptions o;
  o.seed = seed;
  for (const GenParam& p : g->params) o.values[p.name] = p.default_value;
  for (const auto& [key, value] : values) {
    if (o.values.count(key) == 0) {
      std::string valid;
      for (const GenParam& p : g->params) valid += (valid.empty() ? "--" : ", --") + p.name;
      throw Error("generator '" + name + "' has no option --" + key +
                  (valid.empty() ? " (it takes none)" : " (valid: " + valid + ")"));
    }
    o.values[key] = value;
  }
  return g->fn(o);
}

}  // namespace potacc
