#include "potacc/accel/backend.h"

#include <gtest/gtest.h>

#include "potacc/accel/sim.h"
#include "potacc/error.h"

namespace potacc::accel {
namespace {

TEST(Backend, SimIsRegisteredAndIsTheSimulator) {
  const AcceleratorConfig config = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  std::unique_ptr<Backend> b = MakeBackend(kDefaultBackend, config);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->name(), "sim");
  EXPECT_NE(dynamic_cast<Simulator*>(b.get()), nullptr);
  EXPECT_EQ(b->config().name, config.name);
}

TEST(Backend, UnknownNameListsTheAvailableOnes) {
  const AcceleratorConfig config = ResolveAcceleratorConfig("qkeras", "pynq-z2");
  try {
    MakeBackend("no-such-backend", config);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-backend"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("sim"), std::string::npos);
  }
}

TEST(Backend, RegisteredFactoryIsUsed) {
  struct Counting : Simulator {
    using Simulator::Simulator;
    std::string name() const override { return "counting"; }
  };
  RegisterBackend("counting-test", "test backend",
                  [](const AcceleratorConfig& c) { return std::make_unique<Counting>(c); });
  const AcceleratorConfig config = ResolveAcceleratorConfig("apot", "kv260");
  EXPECT_EQ(MakeBackend("counting-test", config)->name(), "counting");
  bool listed = false;
  for (const BackendInfo& i : AvailableBackends()) listed |= i.name == "counting-test";
  EXPECT_TRUE(listed);
}

}  // namespace
}  // namespace potacc::accel
