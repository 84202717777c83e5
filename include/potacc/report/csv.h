// RFC 4180 CSV writing.
#pragma once

#include <string>
#include <vector>

namespace potacc::report {

// Quotes a field when it holds a comma, quote or newline.
std::string CsvField(const std::string& field);
std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace potacc::report
