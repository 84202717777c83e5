#include "potacc/report/table.h"

#include <gtest/gtest.h>

#include <cmath>

#include "potacc/report/csv.h"

namespace potacc::report {
namespace {

TEST(Table, AlignsColumns) {
  Table t({"model", "ms"});
  t.AddRow({"a", "1.00"});
  t.AddRow({"longer", "12.50"});
  const std::string out = t.Render();
  EXPECT_EQ(out,
            "model      ms\n"
            "-------------\n"
            "a        1.00\n"
            "longer  12.50\n");
}

TEST(Csv, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvLine({"a", "b,c", "say \"hi\""}), "a,\"b,c\",\"say \"\"hi\"\"\"\n");
}

TEST(Format, RatiosAndMissingValues) {
  EXPECT_EQ(Ratio(2.456), "2.46x");
  EXPECT_EQ(Fixed(NAN, 2), "-");
}

}  // namespace
}  // namespace potacc::report
