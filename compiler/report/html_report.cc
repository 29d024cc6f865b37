#include "compiler/report/html_report.h"

#include "compiler/report/html_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace tml::report {
namespace {

using nlohmann::json;

// Colour-blind-safe palette (Okabe–Ito).
const char* const kColors[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                               "#CC79A7", "#56B4E9", "#F0E442", "#000000"};

std::string Num(double v) { return HtmlNumber(v); }

std::string Text(const json& v) {
  if (v.is_string()) return HtmlEscape(v.get<std::string>());
  if (v.is_number()) return Num(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "–";
  return HtmlEscape(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

double Get(const json& obj, const char* key, double fallback = NAN) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number()) return fallback;
  return obj[key].get<double>();
}

std::string NoData(const std::string& what) {
  return "<p class=\"nodata\">No data: " + HtmlEscape(what) + "</p>\n";
}

std::string Table(const json& rows) {
  std::string out = "<table class=\"kv\">\n";
  for (const json& row : rows) {
    if (!row.is_array() || row.size() < 2) continue;
    out += "<tr><th>" + Text(row[0]) + "</th><td>" + Text(row[1]) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

struct Series {
  std::string name;
  std::vector<double> values;
};

// Horizontal bars, one group per label, one bar per series.
std::string HBarChart(const std::vector<std::string>& labels, const std::vector<Series>& series,
                      const std::string& unit, bool show_share) {
  const int label_w = 300, bar_w = 560, right = 150, bar_h = 14, gap = 10;
  const int group_h = static_cast<int>(series.size()) * bar_h + gap;
  const int legend_h = series.size() > 1 ? 24 : 0;
  const int height = legend_h + static_cast<int>(labels.size()) * group_h + 30;
  double max_v = 0, total = 0;
  for (const Series& s : series) {
    for (double v : s.values) max_v = std::max(max_v, std::isfinite(v) ? v : 0.0);
  }
  for (double v : series.front().values) total += std::isfinite(v) ? v : 0.0;
  if (max_v <= 0) max_v = 1;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" class=\"chart\">\n",
      label_w + bar_w + right, height);
  if (series.size() > 1) {
    int x = label_w;
    for (size_t k = 0; k < series.size(); ++k) {
      svg += fmt::format(
          "<rect x=\"{}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{}\"/>"
          "<text x=\"{}\" y=\"15\">{}</text>\n",
          x, kColors[k % 8], x + 16, HtmlEscape(series[k].name));
      x += 40 + 8 * static_cast<int>(series[k].name.size());
    }
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const int y0 = legend_h + static_cast<int>(i) * group_h;
    std::string label = labels[i].size() > 44 ? labels[i].substr(0, 43) + "…" : labels[i];
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_w - 8,
                       y0 + group_h / 2 + 2, HtmlEscape(label));
    for (size_t k = 0; k < series.size(); ++k) {
      const double v = i < series[k].values.size() ? series[k].values[i] : NAN;
      const int y = y0 + static_cast<int>(k) * bar_h;
      if (!std::isfinite(v)) {
        svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"small\">n/a</text>\n", label_w + 4,
                           y + bar_h - 3);
        continue;
      }
      const double w = std::max(v / max_v * bar_w, v > 0 ? 1.0 : 0.0);
      std::string value = Num(v) + (unit.empty() ? "" : " " + unit);
      if (show_share && total > 0) value += fmt::format(" ({:.1f}%)", 100.0 * v / total);
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
          "fill=\"{}\"><title>{}</title></rect>"
          "<text x=\"{:.1f}\" y=\"{}\" class=\"small\">{}</text>\n",
          label_w, y, w, bar_h - 2, kColors[k % 8], HtmlEscape(value), label_w + w + 4,
          y + bar_h - 3, HtmlEscape(value));
    }
  }
  svg += fmt::format("<line x1=\"{0}\" y1=\"0\" x2=\"{0}\" y2=\"{1}\" class=\"axis\"/>\n", label_w,
                     height - 24);
  return svg + "</svg>\n";
}

struct XYSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;
  bool line = true;
  std::vector<std::pair<double, double>> marked;  // drawn as large rings
};

double Log10Floor(double v) { return std::floor(std::log10(v)); }

// A line/scatter chart; x linear (or categorical: x_labels) or log, y log.
std::string XYChart(const std::vector<XYSeries>& series, const std::string& x_title,
                    const std::string& y_title, bool log_x,
                    const std::vector<std::string>& x_labels = {}) {
  const int w = 900, h = 360, left = 80, right = 220, top = 16, bottom = 56;
  const int pw = w - left - right, ph = h - top - bottom;
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  const double kFloor = 1e-9;  // exact (0) errors sit on the floor of the log axis
  for (const XYSeries& s : series) {
    for (const auto* pts : {&s.points, &s.marked}) {
      for (const auto& [x, y] : *pts) {
        x_min = std::min(x_min, x);
        x_max = std::max(x_max, x);
        y_min = std::min(y_min, std::max(y, kFloor));
        y_max = std::max(y_max, std::max(y, kFloor));
      }
    }
  }
  if (log_x) {
    x_min = std::pow(10.0, Log10Floor(std::max(x_min, 1e-9)));
    x_max = std::pow(10.0, Log10Floor(std::max(x_max, 1e-9)) + 1);
  } else if (x_max <= x_min) {
    x_min -= 1;
    x_max += 1;
  } else if (!x_labels.empty()) {
    x_min -= 0.5;
    x_max += 0.5;
  }
  const double ly_min = Log10Floor(y_min), ly_max = std::max(Log10Floor(y_max) + 1, ly_min + 1);
  auto px = [&](double x) {
    const double t =
        log_x ? (std::log10(x) - std::log10(x_min)) / (std::log10(x_max) - std::log10(x_min))
              : (x - x_min) / (x_max - x_min);
    return left + t * pw;
  };
  auto py = [&](double y) {
    return top + ph - (std::log10(std::max(y, kFloor)) - ly_min) / (ly_max - ly_min) * ph;
  };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" class=\"chart\">\n", w,
      h);
  // Grid and axes: y decades, x decades or categories or 5 ticks.
  for (double d = ly_min; d <= ly_max + 1e-9; d += 1) {
    const double y = py(std::pow(10.0, d));
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"small\">1e{}</text>\n",
        left, y, left + pw, y, left - 6, y + 4, static_cast<int>(d));
  }
  std::vector<std::pair<double, std::string>> x_ticks;
  if (!x_labels.empty()) {
    for (size_t i = 0; i < x_labels.size(); ++i)
      x_ticks.push_back({static_cast<double>(i), x_labels[i]});
  } else if (log_x) {
    for (double d = std::log10(x_min); d <= std::log10(x_max) + 1e-9; d += 1) {
      x_ticks.push_back({std::pow(10.0, d), Num(std::pow(10.0, d))});
    }
  } else {
    for (int i = 0; i <= 4; ++i) {
      const double x = x_min + (x_max - x_min) * i / 4;
      x_ticks.push_back({x, Num(x)});
    }
  }
  for (const auto& [x, label] : x_ticks) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" class=\"small\">{4}</text>\n",
        px(x), top, top + ph, top + ph + 16, HtmlEscape(label));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n", left,
                     top, pw, ph);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + pw / 2,
                     h - 12, HtmlEscape(x_title));
  svg += fmt::format(
      "<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
      "{0})\">{1}</text>\n",
      top + ph / 2, HtmlEscape(y_title));
  for (size_t k = 0; k < series.size(); ++k) {
    const XYSeries& s = series[k];
    const char* color = kColors[k % 8];
    if (s.line && s.points.size() > 1) {
      std::string path;
      for (const auto& [x, y] : s.points) path += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
      svg +=
          fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                      path, color);
    }
    for (const auto& [x, y] : s.points) {
      svg += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>{}: {} , "
          "{}</title></circle>\n",
          px(x), py(y), color, HtmlEscape(s.name), Num(x), Num(y));
    }
    for (const auto& [x, y] : s.marked) {
      svg += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"7\" fill=\"none\" stroke=\"{}\" "
          "stroke-width=\"2.5\"><title>{} (chosen): {} , {}</title></circle>\n",
          px(x), py(y), color, HtmlEscape(s.name), Num(x), Num(y));
    }
    const int ly = top + 12 + static_cast<int>(k) * 18;
    std::string name = s.name.size() > 28 ? s.name.substr(0, 27) + "…" : s.name;
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" class=\"small\">{}</text>\n",
        left + pw + 12, ly - 10, color, left + pw + 28, ly, HtmlEscape(name));
  }
  return svg + "</svg>\n";
}

// One numeric cell of the layer table, its exact value in data-value.
std::string LayerCell(const json& l, const char* field) {
  if (!l.contains(field) || !l[field].is_number()) return "<td class=\"n\">–</td>";
  return fmt::format("<td class=\"n\" data-field=\"{}\" data-value=\"{}\">{}</td>", field, DataValue(l[field]),
                     Num(l[field].get<double>()));
}

std::string LayerTable(const json& layers, double total_cycles) {
  std::string out =
      "<table class=\"grid\">\n<tr><th>#</th><th>layer</th><th>op</th><th>weight bytes before (dense "
      "float32)</th><th>after (as emitted)</th><th>compression</th><th>arena bytes live</th><th>MACs</th>"
      "<th>cycles</th><th>cycles/MAC</th><th>share</th></tr>\n";
  int i = 0;
  for (const json& l : layers) {
    const double c = Get(l, "cycles"), b = Get(l, "weight_bytes_before"), a = Get(l, "weight_bytes_after");
    const std::string ratio = std::isfinite(a) && std::isfinite(b) && a > 0 && b > 0 ? fmt::format("{:.1f}×", b / a) : "–";
    out += fmt::format("<tr data-layer=\"{}\"><td>{}</td><td>{}</td><td>{}</td>{}{}<td class=\"n\">{}</td>{}{}{}{}"
                       "<td class=\"n\">{}</td></tr>\n",
                       i, i, Text(l.value("name", l.value("layer", json()))), Text(l.value("op", json())),
                       LayerCell(l, "weight_bytes_before"), LayerCell(l, "weight_bytes_after"), ratio,
                       LayerCell(l, "arena_bytes"), LayerCell(l, "macs"), LayerCell(l, "cycles"),
                       LayerCell(l, "cycles_per_mac"),
                       std::isfinite(c) && total_cycles > 0 ? fmt::format("{:.1f}%", 100 * c / total_cycles) : "–");
    ++i;
  }
  return out + "</table>\n";
}

std::string LayerSection(const json& r) {
  std::string out = "<h2>Layers</h2>\n";
  if (!r.contains("layers") || !r["layers"].is_array() || r["layers"].empty()) {
    return out + NoData("no per-layer figures in this report");
  }
  const json& layers = r["layers"];
  bool any_cycles = false, any_arena = false;
  double total_cycles = 0;
  for (const json& l : layers) {
    const double c = Get(l, "cycles");
    if (std::isfinite(c)) {
      any_cycles = true;
      total_cycles += c;
    }
    any_arena |= std::isfinite(Get(l, "arena_bytes"));
  }
  out += LayerTable(layers, total_cycles);
  std::vector<std::string> labels, byte_labels;
  Series before{"dense float32", {}}, after{"as emitted", {}}, cycles{"cycles", {}}, arena{"arena bytes", {}};
  for (const json& l : layers) {
    labels.push_back(l.value("name", l.value("layer", std::string("?"))));
    const double b = Get(l, "weight_bytes_before"), a = Get(l, "weight_bytes_after");
    if ((std::isfinite(b) && b > 0) || (std::isfinite(a) && a > 0)) {
      byte_labels.push_back(labels.back());
      before.values.push_back(b);
      after.values.push_back(a);
    }
    cycles.values.push_back(Get(l, "cycles"));
    arena.values.push_back(Get(l, "arena_bytes"));
  }
  out += "<h3>Compression per layer: weight bytes before and after</h3>\n";
  out += !byte_labels.empty() ? HBarChart(byte_labels, {before, after}, "B", false) : NoData("no weight sizes");
  out += "<h3>RAM per layer: arena bytes alive while it runs</h3>\n";
  out += any_arena ? HBarChart(labels, {arena}, "B", false) : NoData("no arena figures in this manifest");
  out += "<h3>Cycles per layer (one inference, emulated Cortex-M4)</h3>\n";
  out += any_cycles ? HBarChart(labels, {cycles}, "", true)
                    : NoData("run with --verify --test-data to measure cycles");
  return out;
}

std::string StageSection(const json& r) {
  std::string out = "<h2>Output error after each stage</h2>\n";
  if (!r.contains("stages") || !r["stages"].is_array() || r["stages"].empty()) {
    return out + NoData("give --test-data to measure the output error");
  }
  XYSeries s{"relative error", {}, true, {}};
  std::vector<std::string> labels;
  std::string table =
      "<table class=\"grid\"><tr><th>stage</th><th>relative output error</th></tr>\n";
  for (const json& st : r["stages"]) {
    const double e = Get(st, "relative_error");
    labels.push_back(st.value("name", std::string("?")));
    if (std::isfinite(e)) s.points.push_back({static_cast<double>(labels.size() - 1), e});
    table += "<tr><td>" + HtmlEscape(labels.back()) + "</td><td class=\"n\">" +
             Text(st.value("relative_error", json())) + "</td></tr>\n";
  }
  out +=
      XYChart({s}, "stage", "max abs error / max abs reference (0 drawn at 1e-9)", false, labels);
  return out + table + "</table>\n";
}

std::string KronSection(const json& r) {
  std::string out = "<h2>Kronecker factorization: error versus compression</h2>\n";
  if (!r.contains("kron_curves") || !r["kron_curves"].is_array() || r["kron_curves"].empty()) {
    return out + NoData("the model was compiled without --kronecker (or no matrix was factorized)");
  }
  std::vector<XYSeries> series;
  for (const json& m : r["kron_curves"]) {
    XYSeries s{m.value("matrix", std::string("?")), {}, true, {}};
    if (m.contains("points")) {
      for (const json& p : m["points"])
        s.points.push_back({p[0].get<double>(), p[1].get<double>()});
    }
    std::sort(s.points.begin(), s.points.end());
    if (m.contains("chosen") && m["chosen"].is_array()) {
      s.marked.push_back({m["chosen"][0].get<double>(), m["chosen"][1].get<double>()});
    }
    if (!s.points.empty() || !s.marked.empty()) series.push_back(std::move(s));
  }
  if (series.empty()) return out + NoData("no factorization points");
  out += XYChart(series, "compression (dense params / stored params)",
                 "relative Frobenius error (0 drawn at 1e-9)", true);
  return out + "<p class=\"small\">Rings: the factorization chosen for the firmware.</p>\n";
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

nlohmann::json LayerWeightBytes(const Graph& graph) {
  json out = json::object();
  for (const Node& node : graph.nodes()) {
    double bytes = 0;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i] == kNoTensor) continue;
      const Tensor& t = graph.tensor(node.inputs[i]);
      if (!t.is_constant() || t.dtype != DType::kFloat32) continue;
      const WeightOperatorSet* ops = node.WeightOps(i);
      if (ops == nullptr) {
        bytes += 4.0 * static_cast<double>(t.num_elements());
        continue;
      }
      for (const WeightOperator& op : ops->per_direction) {
        if (op.is_dense()) {
          bytes += 4.0 * static_cast<double>(op.rows * op.cols);
          continue;
        }
        bytes += 4.0 * static_cast<double>(op.StoredValues());
        auto sparse_index_bytes = [](const WeightOperator& o) {
          return o.sparse ? 2.0 * static_cast<double>(o.sparse->nnz() + o.rows + 1) : 0.0;
        };
        bytes += sparse_index_bytes(op);
        for (const WeightOperator& b : op.row_blocks) bytes += sparse_index_bytes(b);
      }
    }
    out[node.name] = bytes;
  }
  return out;
}

std::string RenderHtmlReport(const nlohmann::json& r) {
  const std::string title = r.value("title", std::string("tinyml-compile report"));
  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>)" + HtmlEscape(title) +
                     R"(</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px 40px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 1px solid #ccc; margin-top: 32px; }
h3 { font-size: 15px; margin-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; }
table.kv th { text-align: left; font-weight: 600; padding: 2px 16px 2px 0; }
table.kv td { padding: 2px 0; }
table.grid th, table.grid td { border: 1px solid #ddd; padding: 3px 8px; }
table.grid th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.nodata { color: #888; font-style: italic; }
svg.chart { display: block; margin: 6px 0 16px; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #222; }
svg.chart text.small { font-size: 11px; fill: #444; }
svg.chart .grid { stroke: #e4e4e4; } svg.chart .axis { stroke: #888; }
svg.chart .frame { fill: none; stroke: #888; }
.small { font-size: 12px; color: #555; }
.pass { color: #007a3d; font-weight: 600; } .fail { color: #b00020; font-weight: 600; }
#verdict { font-size: 18px; }
div.row svg.chart { display: inline-block; vertical-align: top; margin-right: 24px; }
</style></head><body>
)";
  html += "<h1>" + HtmlEscape(title) + "</h1>\n";
  html += GateSection(r);
  html += "<h2>Summary</h2>\n";
  html +=
      r.contains("summary") && !r["summary"].empty() ? Table(r["summary"]) : NoData("no summary");
  html += TaskFigureSection(r) + ConfusionSection(r) + AnomalyChartSection(r);
  html += LayerSection(r);
  html += LossSection(r);
  html += StageSection(r);
  html += KronSection(r);
  if (r.contains("notes")) {
    for (const json& note : r["notes"]) {
      html += "<h2>" + Text(note.value("title", json("Notes"))) + "</h2>\n";
      html += note.contains("rows") && !note["rows"].empty() ? Table(note["rows"])
                                                             : NoData("nothing measured");
    }
  }
  html += "<p class=\"small\">Generated by " +
          HtmlEscape(r.value("generator", std::string("tinyml-compile"))) + ".</p>\n";
  return html + "</body></html>\n";
}

}  // namespace tml::report
