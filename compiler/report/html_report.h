// The HTML report (`compile --html FILE.html`): one self-contained page (inline
// CSS and SVG, no script, no network: its Content-Security-Policy forbids any load) that shows where the size, the error and
// the cycles of a compiled model go.
//
// Input: a JSON document (nlohmann::json), so every stage of the compiler can
// add what it knows without this file changing its interface. Every key is
// optional; a section without data says so instead of disappearing, so a
// reader can tell "not measured" from "zero".
//
//   {
//     "title":   "model — tinyml-compile report",
//     "summary": [["Model", "model.onnx"], ["Cycles / inference", "12,345"], ...],
//                 label/value rows, in display order
//     "verdict": {"passed": true, "problems": []},   // with --verify: shown first,
//     "gates":   [...],                             // the report's gates[] (render.h)
//     "figures": {"firmware": {...}, "float": {...}},  // the report's task figures
//     "finetune_history": [{"epoch": 1, "loss": 0.4, "agreement": 0.9}],
//     "layers":  [{"name": "node 'lstm' (LSTM)", "op": "LSTM",
//                  "weight_bytes_before": 1234, "weight_bytes_after": 321,  // dense float32 / as emitted
//                  "arena_bytes": 512, "macs": 9000,
//                  "cycles": 5678, "cycles_per_mac": 0.6}],  // emulated, one inference
//     "stages":  [{"name": "import", "relative_error": 0.0}, ...]
//                 output error (max abs error / max abs reference, on the test
//                 data) after each stage: import, each pass, the firmware
//     "kron_curves": [{"matrix": "lstm W", "points": [[compression, relative_error], ...],
//                      "chosen": [compression, relative_error]}]
//                 Kronecker error-versus-compression per matrix; a matrix with
//                 only "chosen" is drawn as a single point
//     "notes":   [{"title": "Anomaly detection", "rows": [["AUC", "0.988"], ...]}]
//                 further label/value tables (energy, anomaly, verification)
//   }
//
// Charts: the gates and the task sections of html_charts.h first; weight
// bytes per layer before and after compression (grouped horizontal bars),
// arena bytes per layer, cycles per layer (horizontal bars with their share),
// error after each stage (log scale), and the Kronecker curves (log-log, one
// colour per matrix).
#ifndef TML_COMPILER_REPORT_HTML_REPORT_H_
#define TML_COMPILER_REPORT_HTML_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "compiler/ir/graph.h"

namespace tml::report {

std::string RenderHtmlReport(const nlohmann::json& report);

// Weight bytes per node of `graph` (name → bytes): its constant inputs, or for
// an input with a WeightOperator the stored values of the operator (factors
// and sparse values, 4 bytes each, plus 2-byte sparse indices).
nlohmann::json LayerWeightBytes(const Graph& graph);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string HtmlEscape(const std::string& text);

}  // namespace tml::report

#endif  // TML_COMPILER_REPORT_HTML_REPORT_H_
