#include "potacc/accel/backend.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "potacc/accel/sim.h"
#include "potacc/error.h"

namespace potacc::accel {
namespace {

struct Entry {
  std::string summary;
  BackendFactoryWithOptions factory;
};

// Function-local so that registrars in other translation units may run in
// any static-initialisation order.
std::map<std::string, Entry>& Registry() {
  static std::map<std::string, Entry> registry;
  return registry;
}
std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}

const bool kSimRegistered = [] {
  RegisterBackend(kDefaultBackend, "C++ event-level simulator (fast; outputs bit-exact, cycles per the event model)",
                  [](const AcceleratorConfig& c) { return std::make_unique<Simulator>(c); });
  return true;
}();

}  // namespace

void RegisterBackend(const std::string& name, const std::string& summary, BackendFactoryWithOptions factory) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry()[name] = Entry{summary, std::move(factory)};
}

void RegisterBackend(const std::string& name, const std::string& summary, BackendFactory factory) {
  RegisterBackend(name, summary, [factory](const AcceleratorConfig& c, const BackendOptions& options) {
    options.RejectUnknown({});
    return factory(c);
  });
}

BackendOptions BackendOptions::Parse(const std::string& text, const std::string& backend) {
  BackendOptions o;
  o.backend_ = backend;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, end - at);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("backend " + backend + ": option '" + item + "' is not key=value");
    o.values_.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    at = end + 1;
  }
  return o;
}

double BackendOptions::Number(const std::string& key, double fallback, double lo, double hi) const {
  for (const auto& [k, v] : values_) {
    if (k != key) continue;
    size_t used = 0;
    double x = 0;
    try {
      x = std::stod(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || !(x >= lo && x <= hi))
      throw Error("backend " + backend_ + ": option " + key + "=" + v + " is not a number in [" + std::to_string(lo) +
                  ", " + std::to_string(hi) + "]");
    return x;
  }
  return fallback;
}

void BackendOptions::RejectUnknown(const std::vector<std::string>& known) const {
  for (const auto& [k, v] : values_) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string list;
    for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
    throw Error("backend " + backend_ + ": unknown option '" + k + "'" +
                (list.empty() ? " (it takes no options)" : " (options: " + list + ")"));
  }
}

std::vector<BackendInfo> AvailableBackends() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  std::vector<BackendInfo> out;
  for (const auto& [name, e] : Registry()) out.push_back({name, e.summary});
  return out;
}

std::unique_ptr<Backend> MakeBackend(const std::string& spec, const AcceleratorConfig& config) {
  const size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  BackendFactoryWithOptions factory;
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    auto it = Registry().find(name);
    if (it != Registry().end()) factory = it->second.factory;
  }
  if (!factory) {
    std::string names;
    for (const BackendInfo& b : AvailableBackends()) names += (names.empty() ? "" : ", ") + b.name;
    throw Error("unknown accelerator backend '" + name + "' (this build has: " + names + ")");
  }
  return factory(config, BackendOptions::Parse(colon == std::string::npos ? "" : spec.substr(colon + 1), name));
}

void RequireV12Stream(const AcceleratorConfig& config, const std::string& backend) {
  if (config.protocol() != Protocol::kV12 || config.weights_broadcast())
    throw Error("the " + backend + " backend speaks the v12 protocol; " + config.name +
                " is the ICECS v2 design (use --backend sim)");
}

}  // namespace potacc::accel
