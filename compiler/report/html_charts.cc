#include "compiler/report/html_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "compiler/report/html_report.h"

namespace tml::report {
namespace {

using nlohmann::json;

const char* const kFirmwareColor = "#0072B2";
const char* const kFloatColor = "#E69F00";
const char* const kAnomalyColor = "#D55E00";

const char* SideName(const std::string& side) { return side == "firmware" ? "firmware" : "float original"; }

std::string Svg(int w, int h) {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" class=\"chart\">\n", w, h);
}

// A frame with linear axes: x in [x0, x1], y in [y0, y1], 5 ticks each.
struct Frame {
  int left = 70, top = 16, width = 420, height = 300;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  std::vector<std::string> x_labels;  // the 5 x tick labels, when not the x values
  double X(double x) const { return left + (x - x0) / (x1 - x0) * width; }
  double Y(double y) const { return top + height - (y - y0) / (y1 - y0) * height; }
  std::string Axes(const std::string& x_title, const std::string& y_title) const {
    std::string svg;
    for (int i = 0; i <= 4; ++i) {
      const double x = x0 + (x1 - x0) * i / 4, y = y0 + (y1 - y0) * i / 4;
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>"
          "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" class=\"small\">{4}</text>\n",
          X(x), top, top + height, top + height + 16,
          x_labels.size() == 5 ? HtmlEscape(x_labels[static_cast<size_t>(i)]) : HtmlNumber(x));
      svg += fmt::format(
          "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" class=\"grid\"/>"
          "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" class=\"small\">{5}</text>\n",
          left, Y(y), left + width, left - 6, Y(y) + 4, HtmlNumber(y));
    }
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n", left, top, width,
                       height);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + width / 2,
                       top + height + 36, HtmlEscape(x_title));
    svg += fmt::format("<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0})\">{1}</text>\n",
                       top + height / 2, HtmlEscape(y_title));
    return svg;
  }
};

std::string Legend(int x, int y, const std::vector<std::pair<std::string, const char*>>& entries) {
  std::string svg;
  for (const auto& [name, color] : entries) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                       "<text x=\"{}\" y=\"{}\" class=\"small\">{}</text>\n",
                       x, y, color, x + 16, y + 10, HtmlEscape(name));
    y += 18;
  }
  return svg;
}

const json& Figures(const json& page, const char* side) {
  static const json kNone = json::object();
  if (!page.contains("figures") || !page["figures"].contains(side)) return kNone;
  return page["figures"][side];
}

// One confusion matrix: cells shaded by their share of the true class.
std::string ConfusionSvg(const std::string& side, const json& matrix) {
  const int classes = static_cast<int>(matrix.size());
  const int cell = std::clamp(480 / std::max(classes, 1), 8, 36), left = 60, top = 40;
  std::string svg = Svg(left + classes * cell + 20, top + classes * cell + 20);
  svg += fmt::format("<text x=\"{}\" y=\"14\">{}: predicted class →</text>\n", left, SideName(side));
  svg += fmt::format("<text x=\"14\" y=\"{0}\" transform=\"rotate(-90 14 {0})\">true class →</text>\n",
                     top + classes * cell / 2);
  for (int t = 0; t < classes; ++t) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"small\">{}</text>\n", left - 4,
                       top + t * cell + cell / 2 + 4, t);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{}</text>\n",
                       left + t * cell + cell / 2, top - 4, t);
    double row_total = 0;
    for (const json& c : matrix[static_cast<size_t>(t)]) row_total += c.get<double>();
    for (int p = 0; p < classes; ++p) {
      const int64_t count = matrix[static_cast<size_t>(t)][static_cast<size_t>(p)].get<int64_t>();
      const double share = row_total > 0 ? static_cast<double>(count) / row_total : 0.0;
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{:.3f}\" stroke=\"#ddd\" "
          "data-side=\"{}\" data-true=\"{}\" data-pred=\"{}\" data-count=\"{}\"><title>true {} predicted {}: {}</title></rect>\n",
          left + p * cell, top + t * cell, cell, cell, t == p ? kFirmwareColor : kAnomalyColor,
          count > 0 ? 0.1 + 0.9 * share : 0.0, side, t, p, count, t, p, count);
      if (cell >= 18 && count > 0) {
        // White on the dark cells, so the count stays readable.
        svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"small\"{}>{}</text>\n",
                           left + p * cell + cell / 2, top + t * cell + cell / 2 + 4,
                           share > 0.5 ? " style=\"fill:#fff\"" : "", count);
      }
    }
  }
  return svg + "</svg>\n";
}

std::string RocSvg(const json& page) {
  Frame f;
  std::string svg = Svg(f.left + f.width + 190, f.top + f.height + 50) + f.Axes("false positive rate", "true positive rate");
  svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"axis\" stroke-dasharray=\"4 4\"/>\n",
                     f.X(0), f.Y(0), f.X(1), f.Y(1));
  std::vector<std::pair<std::string, const char*>> legend;
  for (const char* side : {"float", "firmware"}) {
    const json& fig = Figures(page, side);
    if (!fig.contains("roc")) continue;
    const char* color = std::string(side) == "firmware" ? kFirmwareColor : kFloatColor;
    json fpr = json::array(), tpr = json::array();
    std::string points;
    for (const json& p : fig["roc"]) {
      fpr.push_back(p["fpr"]);
      tpr.push_back(p["tpr"]);
      points += fmt::format("{:.1f},{:.1f} ", f.X(p["fpr"].get<double>()), f.Y(p["tpr"].get<double>()));
    }
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" data-side=\"{}\" "
                       "data-fpr=\"{}\" data-tpr=\"{}\"/>\n",
                       points, color, side, DataValue(fpr), DataValue(tpr));
    std::string name = SideName(side);
    if (fig.contains("auc")) name += " (AUC " + fmt::format("{:.4f}", fig["auc"].get<double>()) + ")";
    legend.push_back({name, color});
  }
  svg += Legend(f.left + f.width + 14, f.top + 4, legend);
  return svg + "</svg>\n";
}

// Score histogram of one side: normal and anomalous counts per (log) bin, the
// threshold as a vertical line.
std::string HistogramSvg(const std::string& side, const json& fig) {
  const json& h = fig["score_histogram"];
  const size_t bins = h["normal"].size();
  int64_t max_count = 1;
  for (const char* cls : {"normal", "anomalous"}) {
    for (const json& c : h[cls]) max_count = std::max(max_count, c.get<int64_t>());
  }
  Frame f;
  f.x0 = 0;
  f.x1 = static_cast<double>(bins);
  f.y1 = static_cast<double>(max_count);
  for (int i = 0; i <= 4; ++i) {
    f.x_labels.push_back(fmt::format("{:.2g}", h["edges"][bins * static_cast<size_t>(i) / 4].get<double>()));
  }
  std::string svg = Svg(f.left + f.width + 190, f.top + f.height + 50);
  svg += f.Axes(std::string(SideName(side)) + ": reconstruction score (log bins)", "samples");
  const double bar = f.width / static_cast<double>(bins) / 2.0;
  for (size_t b = 0; b < bins; ++b) {
    int k = 0;
    for (const char* cls : {"normal", "anomalous"}) {
      const int64_t count = h[cls][b].get<int64_t>();
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" data-side=\"{}\" "
          "data-class=\"{}\" data-bin=\"{}\" data-count=\"{}\"><title>{} {} .. {}: {}</title></rect>\n",
          f.X(static_cast<double>(b)) + k * bar, f.Y(static_cast<double>(count)), bar,
          f.Y(0) - f.Y(static_cast<double>(count)), k == 0 ? kFirmwareColor : kAnomalyColor, side, cls, b, count, cls,
          HtmlNumber(h["edges"][b].get<double>()), HtmlNumber(h["edges"][b + 1].get<double>()), count);
      ++k;
    }
  }
  if (fig.contains("threshold")) {
    const double t = fig["threshold"].get<double>();
    const double lo = std::log10(h["edges"][0].get<double>()), hi = std::log10(h["edges"][bins].get<double>());
    const double pos = std::clamp((std::log10(std::max(t, 1e-300)) - lo) / (hi - lo), 0.0, 1.0) * static_cast<double>(bins);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#000\" stroke-width=\"2\" "
                       "stroke-dasharray=\"6 3\" data-threshold=\"{3}\"/>\n",
                       f.X(pos), f.top, f.top + f.height, DataValue(fig["threshold"]));
  }
  svg += Legend(f.left + f.width + 14, f.top + 4,
                {{"normal", kFirmwareColor}, {"anomalous", kAnomalyColor}, {"threshold (dashed)", "#000"}});
  return svg + "</svg>\n";
}

std::string FigureCell(const std::string& side, const char* key, const json& fig) {
  if (!fig.contains(key)) return "<td class=\"n\">–</td>";
  const double v = fig[key].get<double>();
  const std::string shown = std::string(key) == "accuracy" || std::string(key) == "recall"
                                ? fmt::format("{:.2f} %", 100.0 * v)
                                : fmt::format("{:.6g}", v);
  return fmt::format("<td class=\"n\" data-side=\"{}\" data-figure=\"{}\" data-value=\"{}\">{}</td>", side, key,
                     DataValue(fig[key]), shown);
}

}  // namespace

std::string HtmlNumber(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "n/a" : (v > 0 ? "inf" : "-inf");
  if (v != 0 && (std::fabs(v) < 1e-3 || std::fabs(v) >= 1e7)) return fmt::format("{:.3g}", v);
  if (std::fabs(v - std::round(v)) < 1e-9 || std::fabs(v) >= 1000) {
    v = std::round(v);
    std::string s = fmt::format("{:.0f}", std::fabs(v));
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
    return (v < 0 ? "-" : "") + s;
  }
  return fmt::format("{:.4g}", v);
}

std::string DataValue(const json& v) {
  return HtmlEscape(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string GateSection(const json& page) {
  std::string out = "<h2>Release gates</h2>\n";
  if (!page.contains("verdict")) return out + "<p class=\"nodata\">No data: run with --verify --test-data to judge the gates</p>\n";
  const bool passed = page["verdict"]["passed"].get<bool>();
  out += fmt::format("<p id=\"verdict\" class=\"{}\" data-passed=\"{}\">{}</p>\n", passed ? "pass" : "fail",
                     passed ? "true" : "false", passed ? "verification passed" : "verification FAILED");
  for (const json& p : page["verdict"]["problems"]) out += "<p class=\"fail small\">" + HtmlEscape(p.get<std::string>()) + "</p>\n";
  if (page["gates"].empty()) return out + "<p class=\"small\">No gate applied (no labels, not an uncompressed float build).</p>\n";
  out += "<table class=\"grid\"><tr><th>gate</th><th>figure</th><th>limit</th><th>result</th><th>detail</th></tr>\n";
  for (const json& g : page["gates"]) {
    const bool ok = g["passed"].get<bool>();
    out += fmt::format(
        "<tr data-gate=\"{}\" data-value=\"{}\" data-limit=\"{}\" data-passed=\"{}\"><td>{}{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{} {}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
        HtmlEscape(g["gate"].get<std::string>()), DataValue(g["value"]), DataValue(g["limit"]), ok ? "true" : "false",
        HtmlEscape(g["gate"].get<std::string>()), g["default"].get<bool>() ? " (default)" : "",
        HtmlNumber(g["value"].get<double>()), g["kind"].get<std::string>() == "max" ? "≤" : "≥",
        HtmlNumber(g["limit"].get<double>()), ok ? "pass" : "fail", ok ? "passed" : "FAILED",
        HtmlEscape(g["detail"].get<std::string>()));
  }
  return out + "</table>\n";
}

std::string TaskFigureSection(const json& page) {
  std::string out = "<h2>Task figures: firmware and float original on the same data</h2>\n";
  const json& fw = Figures(page, "firmware");
  const json& fl = Figures(page, "float");
  std::string rows;
  for (const char* key : {"accuracy", "perplexity", "auc", "recall", "threshold"}) {
    if (!fw.contains(key) && !fl.contains(key)) continue;
    rows += fmt::format("<tr><th>{}</th>{}{}</tr>\n", key, FigureCell("firmware", key, fw), FigureCell("float", key, fl));
  }
  if (rows.empty()) return out + "<p class=\"nodata\">No data: give --test-labels for the task figures</p>\n";
  return out + "<table class=\"grid\"><tr><th>figure</th><th>firmware</th><th>float original</th></tr>\n" + rows +
         "</table>\n";
}

std::string ConfusionSection(const json& page) {
  std::string charts;
  for (const char* side : {"firmware", "float"}) {
    const json& fig = Figures(page, side);
    if (fig.contains("confusion_matrix")) charts += ConfusionSvg(side, fig["confusion_matrix"]);
  }
  if (charts.empty()) return "";
  return "<h2>Confusion matrices</h2>\n<p class=\"small\">Rows: true class; columns: predicted; shade: share of "
         "the true class (blue: correct).</p>\n<div class=\"row\">" + charts + "</div>\n";
}

std::string AnomalyChartSection(const json& page) {
  const json& fw = Figures(page, "firmware");
  const json& fl = Figures(page, "float");
  if (!fw.contains("roc") && !fw.contains("score_histogram") && !fl.contains("roc") &&
      !fl.contains("score_histogram")) {
    return "";
  }
  std::string out = "<h2>Anomaly detection: ROC curve and score histogram</h2>\n";
  if (fw.contains("roc") || fl.contains("roc")) out += RocSvg(page);
  for (const char* side : {"firmware", "float"}) {
    const json& fig = Figures(page, side);
    if (fig.contains("score_histogram")) out += HistogramSvg(side, fig);
  }
  return out;
}

std::string LossSection(const json& page) {
  const json history = page.value("finetune_history", json::array());
  if (history.empty()) return "";
  Frame f;
  f.width = 600;
  f.x0 = 0;
  f.x1 = 1;
  f.y1 = 0;
  for (const json& e : history) {
    f.x1 = std::max(f.x1, e["epoch"].get<double>());
    f.y1 = std::max(f.y1, e["loss"].get<double>());
  }
  if (!(f.y1 > 0)) f.y1 = 1;
  f.y1 *= 1.1;
  std::string svg = Svg(f.left + f.width + 40, f.top + f.height + 50) + f.Axes("epoch", "training loss");
  std::string points, dots;
  for (const json& e : history) {
    const double x = f.X(e["epoch"].get<double>()), y = f.Y(e["loss"].get<double>());
    points += fmt::format("{:.1f},{:.1f} ", x, y);
    dots += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\" data-epoch=\"{}\" data-loss=\"{}\">"
                        "<title>epoch {}: loss {}</title></circle>\n",
                        x, y, kFirmwareColor, DataValue(e["epoch"]), DataValue(e["loss"]), e["epoch"].get<int>(),
                        HtmlNumber(e["loss"].get<double>()));
  }
  svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", points, kFirmwareColor);
  return "<h2>Fine-tuning loss per epoch</h2>\n" + svg + dots + "</svg>\n";
}

}  // namespace tml::report
