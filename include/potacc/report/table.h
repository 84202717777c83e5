// Plain-text tables for terminal output (column widths fitted to content).
#pragma once

#include <string>
#include <vector>

namespace potacc::report {

class Table {
 public:
  enum class Align { kLeft, kRight };
  // One header per column; align defaults to left for the first column, right otherwise.
  explicit Table(std::vector<std::string> headers, std::vector<Align> align = {});
  void AddRow(std::vector<std::string> cells);
  void AddSeparator();
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;  // empty row = separator
};

// printf-style number formatting helpers.
std::string Fixed(double value, int decimals);
std::string Ratio(double value);  // "2.46x"

}  // namespace potacc::report
