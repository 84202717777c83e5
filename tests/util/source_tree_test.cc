// The checkout and the default data folder are found at run time, so a moved
// checkout (build folder included) keeps finding its configs and ../shared/data.
#include "potacc/util/source_tree.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/data_dir.h"

namespace potacc {
namespace {

namespace fs = std::filesystem;

// A fake checkout: <root>/moved/checkout/{include/potacc/util/source_tree.h, build/tests}.
fs::path MakeFakeCheckout(const fs::path& root) {
  const fs::path checkout = root / "moved" / "checkout";
  fs::create_directories(checkout / "include" / "potacc" / "util");
  fs::create_directories(checkout / "build" / "tests" / "deep");
  std::ofstream(checkout / "include" / "potacc" / "util" / "source_tree.h") << "// marker\n";
  return checkout;
}

TEST(SourceTree, FoundAboveTheExecutableWhereverTheCheckoutLives) {
  const fs::path root = testing::TempDir("source_tree");
  const fs::path checkout = MakeFakeCheckout(root);
  EXPECT_EQ(FindSourceTreeAbove(checkout / "build" / "tests" / "deep"), checkout);
  EXPECT_EQ(FindSourceTreeAbove(checkout / "build"), checkout);
  EXPECT_EQ(FindSourceTreeAbove(checkout), checkout);
  // Moving the whole checkout moves the answer with it.
  const fs::path moved = root / "elsewhere";
  fs::rename(root / "moved", moved);
  EXPECT_EQ(FindSourceTreeAbove(moved / "checkout" / "build" / "tests"), moved / "checkout");
}

TEST(SourceTree, NothingAboveAFolderOutsideAnyCheckout) {
  const fs::path root = testing::TempDir("source_tree_none");
  fs::create_directories(root / "a" / "b");
  // /tmp and its parents hold no potacc checkout.
  EXPECT_FALSE(FindSourceTreeAbove(root / "a" / "b").has_value());
  // A directory named like the marker is not the marker file.
  fs::create_directories(root / "include" / "potacc" / "util" / "source_tree.h");
  EXPECT_FALSE(FindSourceTreeAbove(root / "a").has_value());
}

TEST(SourceTree, ThisTestBinaryRunsInsideItsCheckout) {
  // The test executables live in <checkout>/build*/tests: the run-time lookup
  // finds the checkout holding this very file's tree.
  EXPECT_TRUE(fs::is_regular_file(SourceTreeDir() / "include" / "potacc" / "util" / "source_tree.h"))
      << SourceTreeDir();
  EXPECT_TRUE(fs::is_directory(SourceTreeDir() / "configs" / "accel")) << SourceTreeDir();
}

}  // namespace
}  // namespace potacc
