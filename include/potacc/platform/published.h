// The published figures potacc's predictions are checked against
// (configs/published.json): which paper, board, design family and statistic
// each is, and which energy accounting it used. They are never an input to
// the board model.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "potacc/platform/compare.h"
#include "potacc/platform/uncertainty.h"

namespace potacc::platform {

struct PublishedFigure {
  std::string id, paper, source;
  std::vector<std::string> boards;    // boards it was measured on
  std::vector<std::string> families;  // accelerator families it describes
  std::vector<std::string> models;    // networks it summarizes (empty: not listed)
  std::string statistic;              // "mean" (over models) or "max" (over models and shift designs)
  std::string config;                 // for "mean": the configuration ("qkeras")
  std::string metric;                 // speedup_vs_cpu | speedup_vs_int8 | energy_reduction_vs_cpu | ..._vs_int8
  double value = 0;
  std::string text;                   // as the paper states it
  std::string accounting;             // "" (not an energy figure) | whole_board | above_idle | unknown
  std::string accounting_note;
};

// configs/published.json (beside configs/accel; $POTACC_CONFIG_DIR moves both).
std::filesystem::path PublishedFiguresPath();
std::vector<PublishedFigure> LoadPublishedFigures(const std::filesystem::path& path = PublishedFiguresPath());

// One published figure beside potacc's prediction of the same quantity.
struct PublishedCheck {
  const PublishedFigure* figure = nullptr;
  std::string accounting;  // the accounting of this row ("" for speed-ups)
  std::string predicted;   // figure name in ReportFigures
  Interval interval;       // central only (low = high = central) without an uncertainty study
  bool has_interval = false;
  bool within() const { return interval.Contains(figure->value); }
};

// The figures that describe this comparison (board, family, and the models
// when the figure lists them), each with its prediction; an energy figure of
// unknown accounting gets one row per accounting.
std::vector<PublishedCheck> CheckPublished(const CompareReport& report, const std::vector<PublishedFigure>& figures,
                                           const UncertaintyResult* uncertainty);

std::string PublishedToText(const std::vector<PublishedCheck>& checks);
nlohmann::json PublishedToJson(const std::vector<PublishedCheck>& checks);

}  // namespace potacc::platform
