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
  BackendFactory factory;
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

void RegisterBackend(const std::string& name, const std::string& summary, BackendFactory factory) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry()[name] = Entry{summary, std::move(factory)};
}

std::vector<BackendInfo> AvailableBackends() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  std::vector<BackendInfo> out;
  for (const auto& [name, e] : Registry()) out.push_back({name, e.summary});
  return out;
}

std::unique_ptr<Backend> MakeBackend(const std::string& name, const AcceleratorConfig& config) {
  BackendFactory factory;
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
  return factory(config);
}

}  // namespace potacc::accel
