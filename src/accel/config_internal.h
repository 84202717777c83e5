// Internals shared by the configuration loader (config.cc: the flat form,
// modes, validation) and the composition (config_compose.cc).
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "potacc/accel/config.h"
#include "potacc/error.h"

namespace potacc::accel::config_internal {

using nlohmann::json;

// Reads the fields of one JSON object, remembering which were used so that
// misspelt or unknown fields are reported instead of silently ignored.
class FieldReader {
 public:
  FieldReader(const json& obj, std::string path, std::string where)
      : obj_(obj), path_(std::move(path)), where_(std::move(where)) {
    if (!obj_.is_object()) Fail(path_.empty() ? "top level must be a JSON object" : "must be an object");
  }

  [[noreturn]] void Fail(const std::string& what, const std::string& field = "") const {
    std::string name = path_;
    if (!field.empty()) name += (name.empty() ? "" : ".") + field;
    throw Error(where_ + ": " + (name.empty() ? "" : "field '" + name + "' ") + what);
  }

  bool Has(const std::string& key) const { return obj_.contains(key); }

  const json* Get(const std::string& key) {
    used_.insert(key);
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  int64_t Int(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_number_integer()) Fail("must be an integer", key);
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi))
      Fail("must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v->dump(), key);
    const int64_t x = v->get<int64_t>();
    if (x < lo || x > hi)
      Fail("must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(x), key);
    return x;
  }
  double Number(const std::string& key, double def, double lo, double hi) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_number()) Fail("must be a number", key);
    const double x = v->get<double>();
    if (!(x >= lo && x <= hi)) Fail("is out of range", key);
    return x;
  }
  bool Bool(const std::string& key, bool def) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_boolean()) Fail("must be true or false", key);
    return v->get<bool>();
  }
  std::string String(const std::string& key, const std::string& def) {
    const json* v = Get(key);
    if (!v) return def;
    if (!v->is_string()) Fail("must be a string", key);
    return v->get<std::string>();
  }
  std::string RequiredString(const std::string& key) {
    if (!Has(key)) Fail("is required", key);
    return String(key, "");
  }
  FieldReader Object(const std::string& key) {
    const json* v = Get(key);
    static const json kEmpty = json::object();
    return FieldReader(v ? *v : kEmpty, Sub(key), where_);
  }
  std::string Sub(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const json& object() const { return obj_; }

  // Every field not read is an error (keys starting with '_' or "comment" are notes).
  void Finish() const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      const std::string& k = it.key();
      if (used_.count(k) || IsNote(k)) continue;
      Fail("is not a known field", k);
    }
  }
  static bool IsNote(const std::string& k) { return k.rfind('_', 0) == 0 || k.rfind("comment", 0) == 0; }

 private:
  const json& obj_;
  std::string path_, where_;
  std::set<std::string> used_;
};

// Every field of the flat form, each checked on its own (ranges, types,
// unknown names); ValidateAcceleratorConfig checks how they combine.
AcceleratorConfig ParseFields(const json& doc, const std::string& where);
// ParseFields, then ValidateAcceleratorConfig.
AcceleratorConfig ParseDocument(const json& doc, const std::string& where);

std::string Join(const std::vector<std::string>& items, const char* sep = ", ");
// "qkeras, apot, msq, uniform4, int8"
std::string MethodNames();

}  // namespace potacc::accel::config_internal
