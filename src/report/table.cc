#include "potacc/report/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace potacc::report {

Table::Table(std::vector<std::string> headers, std::vector<Align> align)
    : headers_(std::move(headers)), align_(std::move(align)) {
  if (align_.empty() && !headers_.empty()) align_.push_back(Align::kLeft);
  align_.resize(headers_.size(), Align::kRight);
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::AddSeparator() { rows_.emplace_back(); }

std::string Table::Render() const {
  std::vector<size_t> width(headers_.size(), 0);
  for (size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
  for (const auto& row : rows_)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < headers_.size(); ++c) {
      const std::string& s = cells[c];
      const size_t pad = width[c] - s.size();
      if (c > 0) out += "  ";
      if (align_[c] == Align::kLeft) {
        out += s;
        if (c + 1 < headers_.size()) out += std::string(pad, ' ');
      } else {
        out += std::string(pad, ' ') + s;
      }
    }
    return out + "\n";
  };
  size_t total = 0;
  for (size_t c = 0; c < width.size(); ++c) total += width[c] + (c ? 2 : 0);
  std::string out = line(headers_);
  out += std::string(total, '-') + "\n";
  for (const auto& row : rows_) out += row.empty() ? std::string(total, '-') + "\n" : line(row);
  return out;
}

std::string Fixed(double value, int decimals) {
  if (std::isnan(value)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string Ratio(double value) {
  if (std::isnan(value) || std::isinf(value)) return "-";
  return Fixed(value, 2) + "x";
}

}  // namespace potacc::report
