// Whole-or-nothing writes, checked writes, and reads that refuse what is not
// a regular file (util/file.h).
#include "potacc/util/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "potacc/error.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Names in `dir` (to see that no temporary file is left behind).
std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(WriteFileAtomic, ReplacesTheTargetWhole) {
  const fs::path dir = testing::TempDir("atomic");
  const std::string path = (dir / "out.txt").string();
  WriteFileAtomic(path, std::string("first version\n"));
  EXPECT_EQ(Slurp(path), "first version\n");
  WriteFileAtomic(path, std::string("second"));
  EXPECT_EQ(Slurp(path), "second");
  const std::vector<uint8_t> bytes = {0, 1, 2, 255};
  WriteFileAtomic(path, bytes);
  EXPECT_EQ(Slurp(path), std::string("\0\1\2\xff", 4));
  EXPECT_EQ(Entries(dir), std::vector<std::string>{"out.txt"});
}

TEST(WriteFileAtomic, FailuresLeaveTheTargetAndNoTemporary) {
  const fs::path dir = testing::TempDir("atomic_fail");
  const std::string path = (dir / "keep.txt").string();
  WriteFileAtomic(path, std::string("original"));
  // A folder where the file should be, a missing folder, an empty name.
  fs::create_directories(dir / "folder");
  EXPECT_THROW(WriteFileAtomic((dir / "folder").string(), std::string("x")), Error);
  EXPECT_THROW(WriteFileAtomic((dir / "missing" / "x.txt").string(), std::string("x")), Error);
  EXPECT_THROW(WriteFileAtomic("", std::string("x")), Error);
  EXPECT_EQ(Slurp(path), "original");
  EXPECT_EQ(Entries(dir), (std::vector<std::string>{"folder", "keep.txt"}));
}

TEST(WriteFileAtomic, AFullDeviceIsAnError) {
  if (!fs::exists("/dev/full")) POTACC_SKIP_OR_FAIL_IN_CI("/dev/full not available");
  try {
    WriteFileAtomic("/dev/full", std::string(100000, 'x'));
    FAIL() << "writing to /dev/full succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full: write failed"), std::string::npos) << e.what();
  }
  // /dev/null is a device too: written in place (not replaced by a rename).
  WriteFileAtomic("/dev/null", std::string("ignored"));
  EXPECT_FALSE(fs::is_regular_file("/dev/null"));
}

TEST(OutputFiles, AllOrNothing) {
  const fs::path dir = testing::TempDir("output_files");
  OutputFiles ok;
  ok.Add((dir / "a.json").string(), std::string("{}"));
  ok.Add((dir / "b.bin").string(), std::vector<uint8_t>{1, 2, 3});
  EXPECT_TRUE(Entries(dir).empty());  // nothing before Commit
  ok.Commit();
  EXPECT_EQ(Slurp(dir / "a.json"), "{}");
  EXPECT_EQ(Slurp(dir / "b.bin"), "\1\2\3");

  // One output cannot be written: none is, and no temporary file remains.
  OutputFiles bad;
  bad.Add((dir / "c.txt").string(), std::string("c"));
  bad.Add((dir / "zz_missing" / "d.txt").string(), std::string("d"));
  EXPECT_THROW(bad.Commit(), Error);
  EXPECT_EQ(Entries(dir), (std::vector<std::string>{"a.json", "b.bin"}));
  EXPECT_THROW(OutputFiles().Add("", std::string("x")), Error);
}

TEST(RequireDistinctFiles, SameFileByAnyName) {
  const fs::path dir = testing::TempDir("distinct");
  const std::string model = (dir / "m.tflite").string();
  WriteFileAtomic(model, std::string("model"));
  fs::create_symlink(model, dir / "link.tflite");
  fs::create_hard_link(model, dir / "hard.tflite");
  for (const std::string& out : {model, (dir / "link.tflite").string(), (dir / "hard.tflite").string(),
                                 (dir / "." / "m.tflite").string(), (dir / "sub" / ".." / "m.tflite").string()})
    EXPECT_THROW(RequireDistinctFiles(out, {"unrelated", model}, "-o"), Error) << out;
  EXPECT_NO_THROW(RequireDistinctFiles((dir / "new.tflite").string(), {model}, "-o"));
  EXPECT_NO_THROW(RequireDistinctFiles("", {model}, "-o"));  // no such output
  EXPECT_NO_THROW(RequireDistinctFiles(model, {"", (dir / "other").string()}, "-o"));
  try {
    RequireDistinctFiles(model, {model}, "--report");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--report " + model + " is also an input"), std::string::npos) << e.what();
  }
}

TEST(ReadFile, RefusesWhatIsNotARegularFile) {
  const fs::path dir = testing::TempDir("read_special");
  const std::string fifo = (dir / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // A FIFO with no writer would block a plain open(): it is refused unopened.
  for (const std::string& p : {std::string("/dev/zero"), fifo}) {
    try {
      ReadTextFile(p);
      FAIL() << p << " was read";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(ReadFileBytes(dir.string()), Error);  // a folder
  WriteFileAtomic((dir / "big").string(), std::string(1000, 'x'));
  EXPECT_EQ(ReadTextFile((dir / "big").string(), 1000).size(), 1000u);
  EXPECT_THROW(ReadTextFile((dir / "big").string(), 999), Error);  // larger than allowed
  fs::create_symlink(dir / "loop_b", dir / "loop_a");
  fs::create_symlink(dir / "loop_a", dir / "loop_b");
  try {
    ReadFileBytes((dir / "loop_a").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("too many levels of symbolic links"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace potacc
