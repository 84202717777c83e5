#include "potacc/report/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>

#include "mini_xml.h"

namespace potacc::report {
namespace {

BarChart ThreeModels() {
  BarChart c;
  c.title = "Speed-up vs CPU <pynq-z2> & friends";
  c.y_label = "speed-up (x)";
  c.series = {"int8", "qkeras", "apot", "msq"};
  c.groups = {{"mobilenetv2", {1.5, 2.0, 1.9, 1.95}},
              {"resnet18", {2.5, 3.1, 3.0, 3.05}},
              {"inceptionv1", {2.0, NAN, 2.4, 2.45}}};
  c.reference_line = 1.0;
  return c;
}

TEST(SvgChart, IsWellFormedWithOneGroupPerModel) {
  const std::string svg = RenderSvg(ThreeModels());
  auto root = potacc::testing::MiniXml::Parse(svg);
  EXPECT_EQ(root->name, "svg");
  EXPECT_EQ(root->attrs.at("xmlns"), "http://www.w3.org/2000/svg");
  std::vector<const potacc::testing::XmlNode*> groups;
  root->FindAll("g", groups);
  std::vector<const potacc::testing::XmlNode*> model_groups;
  for (auto* g : groups)
    if (g->attrs.count("class") && g->attrs.at("class") == "group") model_groups.push_back(g);
  ASSERT_EQ(model_groups.size(), 3u);
  EXPECT_EQ(model_groups[0]->attrs.at("data-label"), "mobilenetv2");
  EXPECT_EQ(model_groups[2]->attrs.at("data-label"), "inceptionv1");
  std::vector<const potacc::testing::XmlNode*> bars;
  model_groups[0]->FindAll("rect", bars);
  ASSERT_EQ(bars.size(), 4u);
  EXPECT_EQ(bars[1]->attrs.at("data-series"), "qkeras");
  EXPECT_DOUBLE_EQ(std::stod(bars[1]->attrs.at("data-value")), 2.0);
  // The missing value (NaN) draws no bar.
  bars.clear();
  model_groups[2]->FindAll("rect", bars);
  EXPECT_EQ(bars.size(), 3u);
  // The title survived escaping.
  std::vector<const potacc::testing::XmlNode*> texts;
  root->FindAll("text", texts);
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts[0]->text, "Speed-up vs CPU <pynq-z2> & friends");
}

TEST(SvgChart, TallerBarsForLargerValues) {
  const std::string svg = RenderSvg(ThreeModels());
  auto root = potacc::testing::MiniXml::Parse(svg);
  std::vector<const potacc::testing::XmlNode*> rects;
  root->FindAll("rect", rects);
  double h_small = -1, h_large = -1;
  for (auto* r : rects) {
    if (!r->attrs.count("data-value")) continue;
    const double v = std::stod(r->attrs.at("data-value"));
    if (v == 1.5) h_small = std::stod(r->attrs.at("height"));
    if (v == 3.1) h_large = std::stod(r->attrs.at("height"));
  }
  ASSERT_GT(h_small, 0);
  EXPECT_NEAR(h_large / h_small, 3.1 / 1.5, 0.02);
}

TEST(SvgChart, EmptyChartIsStillWellFormed) {
  BarChart c;
  c.title = "nothing";
  EXPECT_NO_THROW(potacc::testing::MiniXml::Parse(RenderSvg(c)));
}

TEST(MiniXml, RejectsMalformedDocuments) {
  EXPECT_THROW(potacc::testing::MiniXml::Parse("<a><b></a>"), std::runtime_error);
  EXPECT_THROW(potacc::testing::MiniXml::Parse("<a x=1/>"), std::runtime_error);
  EXPECT_THROW(potacc::testing::MiniXml::Parse("<a>&</a>"), std::runtime_error);
  EXPECT_NO_THROW(potacc::testing::MiniXml::Parse("<a x='1'>t &amp; u<b/></a>"));
}

}  // namespace
}  // namespace potacc::report
