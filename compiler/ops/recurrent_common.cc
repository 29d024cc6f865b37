#include "compiler/ops/recurrent_common.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "compiler/ops/op_registry.h"

namespace tml {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* OpName(const Node& node) { return OpKindName(node.op); }

// The input at `index` must be present (X, W, R).
StatusOr<const Tensor*> RequiredInput(const Graph& graph, const Node& node, size_t index,
                                      const char* what) {
  const Tensor* t = OptionalInput(graph, node, index);
  if (t == nullptr) return InvalidInput("{}: input '{}' is required", node.Describe(), what);
  if (t->dtype != DType::kFloat32) {
    return InvalidInput("{}: input '{}' ('{}') must be float, got {}", node.Describe(), what,
                        t->name, DTypeName(t->dtype));
  }
  return t;
}

Status CheckRank3(const Node& node, const Tensor& t, const char* what, const char* layout) {
  if (t.shape.size() == 3) return Status::Ok();
  return InvalidInput("{}: input '{}' ('{}') has shape {}; expected rank 3 {}", node.Describe(),
                      what, t.name, ShapeToString(t.shape), layout);
}

// Accepts the default activation list (once per direction, or once for both
// directions as some exporters write it; empty = default), compared
// case-insensitively.
Status CheckActivations(const Node& node, const RecurrentSpec& spec, int64_t num_directions) {
  const std::string supported =
      fmt::format("only the default activations are supported ({}: {} per direction)", OpName(node),
                  fmt::join(spec.default_activations, ", "));
  auto it = node.attrs.find("activations");
  if (it != node.attrs.end()) {
    const auto* names = std::get_if<std::vector<std::string>>(&it->second);
    if (names == nullptr) {
      return InvalidInput("{}: attribute 'activations' must be a list of strings; {}",
                          node.Describe(), supported);
    }
    const size_t per_direction = spec.default_activations.size();
    bool ok = names->empty() || names->size() == per_direction ||
              names->size() == per_direction * static_cast<size_t>(num_directions);
    for (size_t i = 0; ok && i < names->size(); ++i) {
      ok = Lower((*names)[i]) == Lower(spec.default_activations[i % per_direction]);
    }
    if (!ok) {
      return InvalidInput("{}: activations [{}] are not supported; {}", node.Describe(),
                          fmt::join(*names, ", "), supported);
    }
  }
  for (const char* attr : {"activation_alpha", "activation_beta"}) {
    auto a = node.attrs.find(attr);
    if (a == node.attrs.end()) continue;
    const auto* values = std::get_if<std::vector<float>>(&a->second);
    if (values == nullptr || !values->empty()) {
      return InvalidInput(
          "{}: attribute '{}' is not supported: the default activations (Sigmoid, Tanh) take no "
          "parameters; {}",
          node.Describe(), attr, supported);
    }
  }
  return Status::Ok();
}

StatusOr<std::string> ParseDirection(const Node& node) {
  auto it = node.attrs.find("direction");
  if (it == node.attrs.end()) return std::string("forward");
  const auto* s = std::get_if<std::string>(&it->second);
  if (s != nullptr && (*s == "forward" || *s == "reverse" || *s == "bidirectional")) return *s;
  return InvalidInput(
      "{}: attribute 'direction' must be \"forward\", \"reverse\" or \"bidirectional\"{}",
      node.Describe(), s == nullptr ? "" : fmt::format(", got \"{}\"", *s));
}

StatusOr<float> ParseClip(const Node& node) {
  auto it = node.attrs.find("clip");
  if (it == node.attrs.end()) return 0.0f;
  const float* f = std::get_if<float>(&it->second);
  const int64_t* i = std::get_if<int64_t>(&it->second);
  if (f == nullptr && i == nullptr) {
    return InvalidInput("{}: attribute 'clip' must be a number", node.Describe());
  }
  float clip = f != nullptr ? *f : static_cast<float>(*i);
  // 0 is the normalised spelling of "no clipping" (ONNX Runtime rejects a
  // clip of 0 as well, so no valid model means anything else by it).
  if (!(clip >= 0.0f) || std::isinf(clip)) {
    return InvalidInput("{}: attribute 'clip' must be a positive finite threshold, got {}",
                        node.Describe(), clip);
  }
  return clip;
}

}  // namespace

Shape RecurrentStateShape(const RecurrentDims& dims, int64_t layout) {
  if (layout == 0) return {dims.num_directions, dims.batch_size, dims.hidden_size};
  return {dims.batch_size, dims.num_directions, dims.hidden_size};
}

Status CheckRecurrentInput(const Graph& graph, const Node& node, size_t index, const char* what,
                           const Shape& expected) {
  const Tensor* t = OptionalInput(graph, node, index);
  if (t == nullptr) return Status::Ok();
  if (t->dtype != DType::kFloat32) {
    return InvalidInput("{}: input '{}' ('{}') must be float, got {}", node.Describe(), what,
                        t->name, DTypeName(t->dtype));
  }
  if (t->shape != expected) {
    return InvalidInput("{}: input '{}' ('{}') has shape {}; expected {}", node.Describe(), what,
                        t->name, ShapeToString(t->shape), ShapeToString(expected));
  }
  return Status::Ok();
}

Status NormalizeRecurrentFlag(Node& node, const char* attr) {
  auto it = node.attrs.find(attr);
  int64_t value = 0;
  if (it != node.attrs.end()) {
    const int64_t* v = std::get_if<int64_t>(&it->second);
    if (v == nullptr || (*v != 0 && *v != 1)) {
      return InvalidInput("{}: attribute '{}' must be 0 or 1", node.Describe(), attr);
    }
    value = *v;
  }
  node.attrs[attr] = value;
  return Status::Ok();
}

StatusOr<RecurrentDims> PrepareRecurrentCommon(Graph& graph, Node& node,
                                               const RecurrentSpec& spec) {
  if (node.inputs.size() > spec.max_inputs) {
    return InvalidInput("{}: has {} inputs; {} takes at most {}", node.Describe(),
                        node.inputs.size(), OpName(node), spec.max_inputs);
  }
  if (node.outputs.size() > spec.max_outputs) {
    return InvalidInput("{}: has {} outputs; {} has at most {}", node.Describe(),
                        node.outputs.size(), OpName(node), spec.max_outputs);
  }
  const int64_t gates = spec.num_gates;

  // Attributes that shape the inputs.
  TML_ASSIGN_OR_RETURN(std::string direction, ParseDirection(node));
  const int64_t num_directions = direction == "bidirectional" ? 2 : 1;
  const int64_t layout = node.GetInt("layout", 0);
  if (layout != 0 && layout != 1) {
    return InvalidInput("{}: attribute 'layout' must be 0 or 1, got {}", node.Describe(), layout);
  }
  TML_ASSIGN_OR_RETURN(float clip, ParseClip(node));
  TML_RETURN_IF_ERROR(CheckActivations(node, spec, num_directions));

  // X, W, R.
  TML_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(graph, node, kRecurrentX, "X"));
  TML_ASSIGN_OR_RETURN(const Tensor* w, RequiredInput(graph, node, kRecurrentW, "W"));
  TML_ASSIGN_OR_RETURN(const Tensor* r, RequiredInput(graph, node, kRecurrentR, "R"));
  TML_RETURN_IF_ERROR(CheckRank3(node, *x, "X",
                                 layout == 0 ? "[seq_length, batch_size, input_size] (layout 0)"
                                             : "[batch_size, seq_length, input_size] (layout 1)"));
  const std::string w_layout = fmt::format("[num_directions, {}*hidden_size, input_size]", gates);
  TML_RETURN_IF_ERROR(CheckRank3(node, *w, "W", w_layout.c_str()));

  RecurrentDims dims;
  dims.num_directions = num_directions;
  dims.seq_length = layout == 0 ? x->shape[0] : x->shape[1];
  dims.batch_size = layout == 0 ? x->shape[1] : x->shape[0];
  dims.input_size = x->shape[2];

  if (w->shape[0] != num_directions) {
    return InvalidInput(
        "{}: input 'W' ('{}') has shape {}, but direction \"{}\" needs {} direction{} in its "
        "first dimension ({})",
        node.Describe(), w->name, ShapeToString(w->shape), direction, num_directions,
        num_directions == 1 ? "" : "s", w_layout);
  }
  if (w->shape[1] <= 0 || w->shape[1] % gates != 0) {
    return InvalidInput("{}: input 'W' ('{}') has shape {}; its second dimension must be {}*{}",
                        node.Describe(), w->name, ShapeToString(w->shape), gates, "hidden_size");
  }
  const int64_t implied_hidden = w->shape[1] / gates;
  // ONNX lists hidden_size as optional, but every exporter writes it and
  // ONNX Runtime needs it; a model without it is malformed (or hostile).
  if (!node.HasAttr("hidden_size")) {
    return InvalidInput(
        "{}: attribute 'hidden_size' is required (input 'W' ('{}') of shape {} implies {})",
        node.Describe(), w->name, ShapeToString(w->shape), implied_hidden);
  }
  {
    const int64_t* h = std::get_if<int64_t>(&node.attrs.at("hidden_size"));
    if (h == nullptr || *h <= 0) {
      return InvalidInput("{}: attribute 'hidden_size' must be a positive integer",
                          node.Describe());
    }
    if (*h != implied_hidden) {
      return InvalidInput(
          "{}: attribute 'hidden_size' is {} but input 'W' ('{}') has shape {}, which means "
          "hidden_size {} ({}); the two must agree",
          node.Describe(), *h, w->name, ShapeToString(w->shape), implied_hidden, w_layout);
    }
  }
  dims.hidden_size = implied_hidden;
  const int64_t hidden = dims.hidden_size;
  if (w->shape[2] != dims.input_size) {
    return InvalidInput(
        "{}: input 'W' ('{}') has shape {}, but X ('{}', shape {}) has input_size {}; expected "
        "W of shape {}",
        node.Describe(), w->name, ShapeToString(w->shape), x->name, ShapeToString(x->shape),
        dims.input_size, ShapeToString({num_directions, gates * hidden, dims.input_size}));
  }
  const Shape r_shape = {num_directions, gates * hidden, hidden};
  if (r->shape != r_shape) {
    return InvalidInput(
        "{}: input 'R' ('{}') has shape {}; expected {} ([num_directions, {}*hidden_size, "
        "hidden_size] with hidden_size {})",
        node.Describe(), r->name, ShapeToString(r->shape), ShapeToString(r_shape), gates, hidden);
  }
  TML_RETURN_IF_ERROR(
      CheckRecurrentInput(graph, node, kRecurrentB, "B", {num_directions, 2 * gates * hidden}));
  TML_RETURN_IF_ERROR(CheckRecurrentInput(graph, node, kRecurrentInitialH, "initial_h",
                                          RecurrentStateShape(dims, layout)));

  // sequence_lens: int (ONNX int32, stored as int64), one length per batch
  // entry, each in [0, seq_length] when known at compile time.
  if (const Tensor* lens = OptionalInput(graph, node, kRecurrentSequenceLens)) {
    if (lens->dtype != DType::kInt64) {
      return InvalidInput("{}: input 'sequence_lens' ('{}') must be an integer tensor, got {}",
                          node.Describe(), lens->name, DTypeName(lens->dtype));
    }
    if (lens->shape != Shape{dims.batch_size}) {
      return InvalidInput(
          "{}: input 'sequence_lens' ('{}') has shape {}; expected [{}] (one "
          "length per batch entry)",
          node.Describe(), lens->name, ShapeToString(lens->shape), dims.batch_size);
    }
    if (lens->is_constant()) {
      for (int64_t len : lens->i64) {
        if (len < 0 || len > dims.seq_length) {
          return InvalidInput(
              "{}: input 'sequence_lens' ('{}') holds {}; every length must be in [0, {}] "
              "(seq_length)",
              node.Describe(), lens->name, len, dims.seq_length);
        }
      }
    }
  }

  // The normalised attributes; later stages read only these.
  node.attrs["hidden_size"] = hidden;
  node.attrs["direction"] = direction;
  node.attrs["layout"] = layout;
  node.attrs["clip"] = clip;
  node.attrs.erase("activations");
  node.attrs.erase("activation_alpha");
  node.attrs.erase("activation_beta");

  const Shape y_shape = layout == 0
                            ? Shape{dims.seq_length, num_directions, dims.batch_size, hidden}
                            : Shape{dims.batch_size, dims.seq_length, num_directions, hidden};
  SetOutput(graph, node, kRecurrentY, DType::kFloat32, y_shape);
  SetOutput(graph, node, kRecurrentYh, DType::kFloat32, RecurrentStateShape(dims, layout));
  return dims;
}

RecurrentAttrs ReadRecurrentAttrs(const Node& node) {
  RecurrentAttrs attrs;
  attrs.hidden_size = node.GetInt("hidden_size", 0);
  attrs.direction = node.GetString("direction", "forward");
  attrs.num_directions = attrs.direction == "bidirectional" ? 2 : 1;
  attrs.layout = node.GetInt("layout", 0);
  attrs.clip = node.GetFloat("clip", 0.0f);
  attrs.input_forget = node.GetInt("input_forget", 0) != 0;
  attrs.linear_before_reset = node.GetInt("linear_before_reset", 0) != 0;
  return attrs;
}

}  // namespace tml
