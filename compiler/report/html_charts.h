// The task sections of the HTML report (html_report.h), as inline SVG and
// tables: the release gates and the verdict (top of the page), the task
// figures of the firmware beside the float original's, the confusion
// matrices (classifiers), the ROC curves and score histograms (anomaly
// detectors) and the fine-tuning loss curve.
//
// Every figure shown carries its exact value in data-* attributes (the JSON
// number as the report holds it), so a test can read the page's DOM and check
// it against the JSON report (tests/tools/check_html_report.py):
//   #verdict[data-passed]; tr[data-gate][data-value][data-limit][data-passed];
//   td[data-side][data-figure][data-value]; rect[data-side][data-true][data-pred][data-count];
//   polyline[data-side][data-fpr][data-tpr] (JSON arrays);
//   rect[data-side][data-class][data-bin][data-count]; circle[data-epoch][data-loss];
//   and in the layer table (html_report.cc) tr[data-layer] td[data-field][data-value].
#ifndef TML_COMPILER_REPORT_HTML_CHARTS_H_
#define TML_COMPILER_REPORT_HTML_CHARTS_H_

#include <string>

#include <nlohmann/json.hpp>

namespace tml::report {

// Keys of the page document read here (html_report.h): "verdict", "gates",
// "figures" {firmware, float}, "finetune_history".
std::string GateSection(const nlohmann::json& page);
std::string TaskFigureSection(const nlohmann::json& page);
std::string ConfusionSection(const nlohmann::json& page);
std::string AnomalyChartSection(const nlohmann::json& page);
std::string LossSection(const nlohmann::json& page);

// A number as the page shows it: integers with thousands separators, else 4
// significant digits ("n/a" for NaN).
std::string HtmlNumber(double v);
// The exact JSON text of a value, for a data-* attribute.
std::string DataValue(const nlohmann::json& v);

}  // namespace tml::report

#endif  // TML_COMPILER_REPORT_HTML_CHARTS_H_
