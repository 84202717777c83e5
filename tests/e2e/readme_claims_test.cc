// Claims of the README and docs that the code can check: the operator count
// of the status table, and citations of the reference document by a path
// that exists (../shared/docs/reference-accelerator.md beside the checkout).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "potacc/runtime/op_kernel.h"
#include "potacc/util/source_tree.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReadmeClaims, OperatorCountMatchesTheKernelRegistry) {
  const std::string readme = Slurp(SourceTreeDir() / "README.md");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(readme, m, std::regex(R"((\d+) operators, one file each)")))
      << "README no longer states the operator count";
  EXPECT_EQ(std::stoul(m[1].str()), RegisteredOps().size()) << "README operator count is stale";
}

TEST(ReadmeClaims, ReferenceDocumentIsCitedByAPathThatExists) {
  const fs::path root = SourceTreeDir();
  const fs::path cited = root / ".." / "shared" / "docs" / "reference-accelerator.md";
  if (!fs::exists(cited)) POTACC_SKIP_OR_FAIL_IN_CI("shared docs not found: " << cited);
  // No file of the checkout cites the document under a path that does not exist.
  const std::regex wrong(R"((^|[^./])docs/reference-accelerator\.md)");
  for (const char* top : {"README.md", "docs", "src", "include", "tools", "configs", "hw", "tests", "scripts", "bench"}) {
    const fs::path start = root / top;
    if (!fs::exists(start)) continue;
    std::vector<fs::path> files;
    if (fs::is_regular_file(start)) files.push_back(start);
    else
      for (const auto& e : fs::recursive_directory_iterator(start))
        if (e.is_regular_file()) files.push_back(e.path());
    for (const fs::path& f : files) {
      if (f.filename() == "readme_claims_test.cc") continue;  // this test names the wrong path
      std::istringstream text(Slurp(f));
      int line_no = 0;
      for (std::string line; std::getline(text, line);) {
        ++line_no;
        EXPECT_FALSE(std::regex_search(line, wrong)) << f.string() << ":" << line_no << ": " << line;
      }
    }
  }
}

}  // namespace
}  // namespace potacc
