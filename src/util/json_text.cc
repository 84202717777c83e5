#include "potacc/util/json_text.h"

#include <filesystem>
#include <vector>

#include "potacc/error.h"
#include "potacc/util/file.h"

namespace potacc {
namespace {

using nlohmann::json;

// A SAX pass that only follows where it is in the document, so that a parse
// error can be reported with the path of the value being read.
class PathTracker : public json::json_sax_t {
 public:
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    Value();
    frames_.push_back({true, "", -1});
    return true;
  }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    Value();
    frames_.push_back({false, "", -1});
    return true;
  }
  bool end_array() override {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

  // Where a parse error stopped: "timing.ppu_occupancy", "accepted_ops[1]";
  // "" at the top level. A faulty token is reported before its value
  // callback, so in the innermost array it is the element after the last one
  // seen.
  std::string Path() const {
    std::string path;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.object) {
        if (f.key.empty()) break;
        path += (path.empty() ? "" : ".") + f.key;
      } else {
        path += "[" + std::to_string(f.index + (i + 1 == frames_.size() ? 1 : 0)) + "]";
      }
    }
    return path;
  }

 private:
  struct Frame {
    bool object;
    std::string key;
    int64_t index;
  };
  // A value starts: inside an array it is the next element.
  bool Value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  std::vector<Frame> frames_;
};

// nlohmann's what() starts with "[json.exception.<kind>.<id>] ".
std::string Reason(const json::exception& e) {
  const std::string what = e.what();
  const size_t close = what.find("] ");
  return close == std::string::npos ? what : what.substr(close + 2);
}

}  // namespace

json ParseJsonText(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    PathTracker tracker;
    json::sax_parse(text, &tracker);
    const std::string path = tracker.Path();
    throw Error(where + ": " + (path.empty() ? "" : "field '" + path + "': ") + "not valid JSON (" + Reason(e) + ")");
  }
}

json ReadJsonFile(const std::string& path, int64_t max_bytes) {
  RequireReadableFile(path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(path + ": cannot read file");
  if (size > static_cast<uintmax_t>(max_bytes))
    throw Error(path + ": " + std::to_string(size) + " bytes; expected a JSON file of at most " +
                std::to_string(max_bytes) + " bytes");
  const std::vector<uint8_t> bytes = ReadFileBytes(path);
  return ParseJsonText(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace potacc
