#include "potacc/report/svg_scatter.h"

#include <gtest/gtest.h>

#include "mini_xml.h"

namespace potacc::report {
namespace {

TEST(SvgScatter, WellFormedWithEveryPointAndItsData) {
  ScatterChart c;
  c.title = "LUTs <vs> latency & friends";
  c.x_label = "LUT";
  c.y_label = "ms";
  c.log_y = true;
  c.series = {{"all", ScatterSeries::Style::kDots, {{100, 5, "a"}, {200, 3, "b"}, {300, 2.5, ""}}},
              {"front", ScatterSeries::Style::kFront, {{120, 2, "f1"}, {250, 1.2, "f2"}}},
              {"refs", ScatterSeries::Style::kMarkers, {{270, 4, "qkeras (pynq-z2)"}}}};
  const std::string svg = RenderScatterSvg(c);
  auto root = potacc::testing::MiniXml::Parse(svg);
  EXPECT_EQ(root->name, "svg");
  std::vector<const potacc::testing::XmlNode*> circles, paths;
  root->FindAll("circle", circles);
  root->FindAll("path", paths);
  int points = 0, front = 0;
  for (auto* n : circles) {
    if (!n->attrs.count("class") || n->attrs.at("class") != "point") continue;
    ++points;
    front += n->attrs.at("data-series") == "front";
  }
  EXPECT_EQ(points, 5);
  EXPECT_EQ(front, 2);
  ASSERT_EQ(paths.size(), 1u);  // the reference marker
  EXPECT_EQ(paths[0]->attrs.at("data-label"), "qkeras (pynq-z2)");
  EXPECT_EQ(paths[0]->attrs.at("data-x"), "270");
  EXPECT_NE(svg.find("LUTs &lt;vs&gt; latency &amp; friends"), std::string::npos);
  // Log axis: 1.2 ms and 5 ms lie between the decade ticks 1 and 10, higher latency higher up (smaller y).
  double y_f2 = 0, y_a = 0;
  for (auto* n : circles) {
    if (!n->attrs.count("data-label")) continue;
    if (n->attrs.at("data-label") == "f2") y_f2 = std::stod(n->attrs.at("cy"));
    if (n->attrs.at("data-label") == "a") y_a = std::stod(n->attrs.at("cy"));
  }
  EXPECT_GT(y_f2, y_a);
}

TEST(SvgScatter, EmptyChartIsStillADocument) {
  ScatterChart c;
  c.series = {{"nothing", ScatterSeries::Style::kDots, {}}};
  auto root = potacc::testing::MiniXml::Parse(RenderScatterSvg(c));
  EXPECT_EQ(root->name, "svg");
}

}  // namespace
}  // namespace potacc::report
