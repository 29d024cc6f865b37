#include "compiler/onnx/importer.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "compiler/onnx/tensor_proto.h"
#include "compiler/ops/op_registry.h"

namespace tml {
namespace {

// Ops removed during import rather than turned into nodes.
bool IsDissolvedOp(const std::string& op_type) {
  return op_type == "Identity" || op_type == "Dropout" || op_type == "Constant";
}

bool IsDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::string NodeLabel(const onnx::NodeProto& node, int index) {
  return node.name().empty() ? fmt::format("{}_{}", node.op_type(), index) : node.name();
}

class Importer {
 public:
  Importer(std::string label, const ImportOptions& options) : label_(std::move(label)), options_(options) {}

  StatusOr<ImportResult> Run(onnx::ModelProto& model);

 private:
  Status CheckModel(onnx::ModelProto& model);
  Status CheckSupported(const onnx::GraphProto& graph);
  Status ImportInputs(const onnx::GraphProto& graph);
  Status ImportInitializers(const onnx::GraphProto& graph);
  Status ImportNode(const onnx::NodeProto& proto, int index);
  Status ImportConstantNode(const onnx::NodeProto& proto, const std::string& label);
  StatusOr<Attribute> ConvertAttribute(const onnx::AttributeProto& attr, const Node& node);
  Status FoldIfConstant(Node& node, bool* folded);
  Status ImportOutputs(const onnx::GraphProto& graph);
  void RemoveDeadNodes();
  void WarnOnNonFinite(const Tensor& t);
  TensorId AddConstant(Tensor t, const std::string& onnx_name);

  std::string label_;
  const ImportOptions& options_;
  int opset_ = 0;
  ImportResult result_;
  // ONNX value name -> tensor; Identity/Dropout outputs alias their input here.
  std::unordered_map<std::string, TensorId> values_;
};

StatusOr<ImportResult> Importer::Run(onnx::ModelProto& model) {
  TML_RETURN_IF_ERROR(CheckModel(model));
  const onnx::GraphProto& graph = model.graph();
  Graph& g = result_.graph;
  g.name = graph.name();
  g.producer = model.producer_name() +
               (model.producer_version().empty() ? "" : " " + model.producer_version());
  g.opset = opset_;
  TML_RETURN_IF_ERROR(CheckSupported(graph));
  TML_RETURN_IF_ERROR(ImportInitializers(graph));
  TML_RETURN_IF_ERROR(ImportInputs(graph));
  for (int i = 0; i < graph.node_size(); ++i) TML_RETURN_IF_ERROR(ImportNode(graph.node(i), i));
  TML_RETURN_IF_ERROR(ImportOutputs(graph));
  RemoveDeadNodes();
  return std::move(result_);
}

Status Importer::CheckModel(onnx::ModelProto& model) {
  for (const auto& opset : model.opset_import()) {
    if (IsDefaultDomain(opset.domain())) opset_ = static_cast<int>(opset.version());
  }
  if (!model.has_graph() || opset_ == 0) {
    return InvalidInput("not an ONNX model (no graph or no default-domain opset_import)");
  }
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    std::string what = e.what();
    for (char& c : what) c = c == '\n' ? ' ' : c;
    return InvalidInput("the ONNX checker rejected the model: {}", what);
  }
  try {
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception& e) {
    std::string what = e.what();
    for (char& c : what) c = c == '\n' ? ' ' : c;
    return InvalidInput("ONNX shape inference failed: {}", what);
  }
  return Status::Ok();
}

Status Importer::CheckSupported(const onnx::GraphProto& graph) {
  std::vector<std::string> unsupported;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& node = graph.node(i);
    OpKind kind;
    bool known = IsDefaultDomain(node.domain()) &&
                 (IsDissolvedOp(node.op_type()) || OpKindFromName(node.op_type(), &kind));
    if (!known) {
      std::string op = node.domain().empty() || IsDefaultDomain(node.domain())
                           ? node.op_type()
                           : node.domain() + "." + node.op_type();
      unsupported.push_back(fmt::format("'{}' ({}, opset {})", NodeLabel(node, i), op, opset_));
    }
  }
  if (unsupported.empty()) return Status::Ok();
  return InvalidInput(
      "{} unsupported node{}: {}; supported ops are listed in the README (export without them "
      "or open an issue)",
      unsupported.size(), unsupported.size() == 1 ? "" : "s", fmt::join(unsupported, ", "));
}

TensorId Importer::AddConstant(Tensor t, const std::string& onnx_name) {
  t.role = TensorRole::kConstant;
  t.name = onnx_name;
  WarnOnNonFinite(t);
  TensorId id = result_.graph.AddTensor(std::move(t));
  values_[onnx_name] = id;
  return id;
}

void Importer::WarnOnNonFinite(const Tensor& t) {
  int64_t bad = 0;
  for (float v : t.f32) bad += std::isfinite(v) ? 0 : 1;
  if (bad > 0) {
    result_.warnings.push_back(fmt::format(
        "{}: tensor '{}' holds {} NaN/Inf value{}; the model's outputs will not be finite",
        label_, t.name, bad, bad == 1 ? "" : "s"));
  }
}

Status Importer::ImportInitializers(const onnx::GraphProto& graph) {
  for (const onnx::TensorProto& init : graph.initializer()) {
    StatusOr<Tensor> t = TensorFromProto(init);
    if (!t.ok()) return t.status();
    AddConstant(std::move(t).value(), init.name());
  }
  return Status::Ok();
}

Status Importer::ImportInputs(const onnx::GraphProto& graph) {
  Graph& g = result_.graph;
  int position = 0;
  for (const onnx::ValueInfoProto& input : graph.input()) {
    // Older exporters also list initializers as inputs; those are constants.
    if (values_.count(input.name())) continue;
    const bool first = position++ == 0;
    if (!input.type().has_tensor_type()) {
      return InvalidInput("graph input '{}' is not a tensor", input.name());
    }
    const auto& tensor_type = input.type().tensor_type();
    const int elem = tensor_type.elem_type();
    if (elem != onnx::TensorProto::FLOAT && elem != onnx::TensorProto::DOUBLE) {
      return InvalidInput(
          "graph input '{}' has element type {}; model inputs must be float (integer inputs "
          "such as sequence_lens must be initializers: bake them into the model)",
                          input.name(),
                          onnx::TensorProto::DataType_Name(
                              static_cast<onnx::TensorProto::DataType>(elem)));
    }
    Shape declared;
    bool dynamic = !tensor_type.has_shape();
    std::vector<std::string> dims_text;
    for (const auto& dim : tensor_type.shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        declared.push_back(dim.dim_value());
        dims_text.push_back(std::to_string(dim.dim_value()));
      } else {
        dynamic = true;
        declared.push_back(-1);
        dims_text.push_back(dim.has_dim_param() ? dim.dim_param() : "?");
      }
    }
    auto given = options_.input_shapes.find(input.name());
    if (given == options_.input_shapes.end() && first) given = options_.input_shapes.find("");
    Shape shape = declared;
    if (given != options_.input_shapes.end()) {
      shape = given->second;
      bool matches = !tensor_type.has_shape() || shape.size() == declared.size();
      for (size_t i = 0; matches && i < declared.size(); ++i) {
        matches = declared[i] < 0 || declared[i] == shape[i];
      }
      if (!matches) {
        return InvalidInput("--input-shape {} for input '{}' does not match its declared shape [{}]",
                            ShapeToString(shape), input.name(), fmt::join(dims_text, ", "));
      }
    } else if (dynamic) {
      return InvalidInput(
          "input '{}' has dynamic shape [{}]; give a static one with --input-shape {}=<dims> "
          "(e.g. batch 1)",
          input.name(), fmt::join(dims_text, ", "), input.name());
    }
    Tensor t;
    t.name = input.name();
    t.dtype = DType::kFloat32;
    t.shape = shape;
    t.role = TensorRole::kInput;
    TensorId id = g.AddTensor(std::move(t));
    values_[input.name()] = id;
    g.inputs().push_back(id);
  }
  if (g.inputs().empty()) return InvalidInput("the model has no (non-initializer) inputs");
  return Status::Ok();
}

StatusOr<Attribute> Importer::ConvertAttribute(const onnx::AttributeProto& attr,
                                               const Node& node) {
  switch (attr.type()) {
    case onnx::AttributeProto::INT:
      return Attribute(static_cast<int64_t>(attr.i()));
    case onnx::AttributeProto::FLOAT:
      return Attribute(attr.f());
    case onnx::AttributeProto::STRING:
      return Attribute(attr.s());
    case onnx::AttributeProto::INTS:
      return Attribute(std::vector<int64_t>(attr.ints().begin(), attr.ints().end()));
    case onnx::AttributeProto::FLOATS:
      return Attribute(std::vector<float>(attr.floats().begin(), attr.floats().end()));
    case onnx::AttributeProto::STRINGS:
      return Attribute(std::vector<std::string>(attr.strings().begin(), attr.strings().end()));
    case onnx::AttributeProto::TENSOR: {
      // Only ConstantOfShape's 'value' (a one-element tensor) reaches here.
      StatusOr<Tensor> t = TensorFromProto(attr.t(), attr.name());
      if (!t.ok()) return t.status().WithPrefix(node.Describe());
      if (t->num_elements() != 1) {
        return InvalidInput("{}: attribute '{}' must hold one value", node.Describe(), attr.name());
      }
      if (t->dtype == DType::kInt64) return Attribute(std::vector<int64_t>{t->i64[0]});
      return Attribute(std::vector<float>{t->f32[0]});
    }
    default:
      return InvalidInput("{}: attribute '{}' has a type tinyml-compile does not support",
                          node.Describe(), attr.name());
  }
}

Status Importer::ImportConstantNode(const onnx::NodeProto& proto, const std::string& label) {
  const std::string context = fmt::format("node '{}' (Constant, opset {})", label, opset_);
  if (proto.attribute_size() != 1) {
    return InvalidInput("{}: expected exactly one value attribute", context);
  }
  const onnx::AttributeProto& attr = proto.attribute(0);
  Tensor t;
  if (attr.name() == "value") {
    StatusOr<Tensor> parsed = TensorFromProto(attr.t());
    if (!parsed.ok()) return parsed.status().WithPrefix(context);
    t = std::move(parsed).value();
  } else if (attr.name() == "value_float") {
    t.dtype = DType::kFloat32;
    t.f32 = {attr.f()};
  } else if (attr.name() == "value_floats") {
    t.dtype = DType::kFloat32;
    t.f32.assign(attr.floats().begin(), attr.floats().end());
    t.shape = {static_cast<int64_t>(t.f32.size())};
  } else if (attr.name() == "value_int") {
    t.dtype = DType::kInt64;
    t.i64 = {attr.i()};
  } else if (attr.name() == "value_ints") {
    t.dtype = DType::kInt64;
    t.i64.assign(attr.ints().begin(), attr.ints().end());
    t.shape = {static_cast<int64_t>(t.i64.size())};
  } else {
    return InvalidInput("{}: attribute '{}' is not supported (value, value_float(s) and "
                        "value_int(s) are)",
                        context, attr.name());
  }
  AddConstant(std::move(t), proto.output(0));
  return Status::Ok();
}

Status Importer::ImportNode(const onnx::NodeProto& proto, int index) {
  const std::string label = NodeLabel(proto, index);
  if (proto.op_type() == "Constant") return ImportConstantNode(proto, label);
  auto lookup = [&](const std::string& name) -> StatusOr<TensorId> {
    if (name.empty()) return kNoTensor;
    auto it = values_.find(name);
    if (it == values_.end()) {
      return InvalidInput("node '{}' ({}, opset {}): input '{}' is not produced by any node",
                          label, proto.op_type(), opset_, name);
    }
    return it->second;
  };
  if (proto.op_type() == "Identity" || proto.op_type() == "Dropout") {
    // Inference-time Identity/Dropout pass their input through. Dropout's mask
    // output (all ones) is not supported.
    TML_ASSIGN_OR_RETURN(TensorId source, lookup(proto.input(0)));
    values_[proto.output(0)] = source;
    if (proto.output_size() > 1 && !proto.output(1).empty()) {
      return InvalidInput("node '{}' (Dropout, opset {}): the mask output is not supported",
                          label, opset_);
    }
    return Status::Ok();
  }

  Node node;
  OpKindFromName(proto.op_type(), &node.op);
  node.name = label;
  node.onnx_op_type = proto.op_type();
  node.opset = opset_;
  for (const std::string& name : proto.input()) {
    TML_ASSIGN_OR_RETURN(TensorId id, lookup(name));
    node.inputs.push_back(id);
  }
  // Trailing absent inputs carry no meaning; drop them so input(i) is kNoTensor.
  while (!node.inputs.empty() && node.inputs.back() == kNoTensor) node.inputs.pop_back();
  for (const onnx::AttributeProto& attr : proto.attribute()) {
    TML_ASSIGN_OR_RETURN(node.attrs[attr.name()], ConvertAttribute(attr, node));
  }
  Graph& g = result_.graph;
  for (const std::string& name : proto.output()) {
    if (name.empty()) {
      node.outputs.push_back(kNoTensor);
      continue;
    }
    if (g.FindTensor(name) != kNoTensor) {
      return InvalidInput("{}: output '{}' is produced twice", node.Describe(), name);
    }
    Tensor t;
    t.name = name;
    t.role = TensorRole::kActivation;
    TensorId id = g.AddTensor(std::move(t));
    values_[name] = id;
    node.outputs.push_back(id);
  }
  TML_RETURN_IF_ERROR(PrepareNode(g, node));
  bool folded = false;
  TML_RETURN_IF_ERROR(FoldIfConstant(node, &folded));
  if (!folded) g.AddNode(std::move(node));
  return Status::Ok();
}

Status Importer::FoldIfConstant(Node& node, bool* folded) {
  Graph& g = result_.graph;
  // Shape only needs its input's (static) shape, never its data.
  bool all_constant = node.op == OpKind::kShape;
  if (!all_constant) {
    all_constant = true;
    for (TensorId id : node.inputs) {
      if (id != kNoTensor && !g.tensor(id).is_constant()) all_constant = false;
    }
  }
  if (!all_constant) return Status::Ok();
  EvalArgs args;
  for (TensorId id : node.inputs) args.in.push_back(id == kNoTensor ? nullptr : &g.tensor(id));
  for (TensorId id : node.outputs) args.out.push_back(id == kNoTensor ? nullptr : &g.tensor(id));
  TML_RETURN_IF_ERROR(EvalNode(node, args));
  for (TensorId id : node.outputs) {
    if (id == kNoTensor) continue;
    g.tensor(id).role = TensorRole::kConstant;
  }
  *folded = true;
  return Status::Ok();
}

Status Importer::ImportOutputs(const onnx::GraphProto& graph) {
  Graph& g = result_.graph;
  for (const onnx::ValueInfoProto& output : graph.output()) {
    auto it = values_.find(output.name());
    if (it == values_.end()) {
      return InvalidInput("graph output '{}' is not produced by any node", output.name());
    }
    Tensor& t = g.tensor(it->second);
    if (t.role == TensorRole::kConstant) {
      return InvalidInput("graph output '{}' does not depend on the inputs (it is a constant)",
                          output.name());
    }
    if (t.role == TensorRole::kInput) {
      return InvalidInput("graph output '{}' is a graph input passed through unchanged",
                          output.name());
    }
    t.role = TensorRole::kOutput;
    g.outputs().push_back(it->second);
  }
  if (g.outputs().empty()) return InvalidInput("the model has no outputs");
  return Status::Ok();
}

void Importer::RemoveDeadNodes() {
  Graph& g = result_.graph;
  std::set<TensorId> live(g.outputs().begin(), g.outputs().end());
  std::vector<Node> kept;
  for (auto it = g.nodes().rbegin(); it != g.nodes().rend(); ++it) {
    bool used = false;
    for (TensorId id : it->outputs) used = used || live.count(id) != 0;
    if (!used) continue;
    for (TensorId id : it->inputs) live.insert(id);
    kept.push_back(std::move(*it));
  }
  g.nodes().assign(std::make_move_iterator(kept.rbegin()), std::make_move_iterator(kept.rend()));
}

}  // namespace

StatusOr<ImportResult> ImportOnnxBytes(const std::string& bytes, const std::string& label,
                                       const ImportOptions& options) {
  onnx::ModelProto model;
  if (bytes.empty()) return InvalidInput("{}: the file is empty, not an ONNX model", label);
  if (!model.ParseFromString(bytes)) {
    return InvalidInput("{}: not an ONNX model (protobuf parsing failed; is the file truncated?)",
                        label);
  }
  Importer importer(label, options);
  StatusOr<ImportResult> result = importer.Run(model);
  if (!result.ok()) return result.status().WithPrefix(label);
  return result;
}

StatusOr<ImportResult> ImportOnnxFile(const std::string& path, const ImportOptions& options) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidInput("{}: no such file or not readable", path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  if (file.bad()) return InvalidInput("{}: read error", path);
  return ImportOnnxBytes(buffer.str(), path, options);
}

StatusOr<std::pair<std::string, Shape>> ParseInputShape(const std::string& text) {
  std::string name;
  std::string dims = text;
  size_t eq = text.find('=');
  if (eq != std::string::npos) {
    name = text.substr(0, eq);
    dims = text.substr(eq + 1);
  }
  Shape shape;
  std::stringstream stream(dims);
  std::string item;
  while (std::getline(stream, item, ',')) {
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0) {
      return InvalidInput("--input-shape '{}': expected NAME=D1,D2,... with positive integers",
                          text);
    }
    shape.push_back(v);
  }
  if (shape.empty()) return InvalidInput("--input-shape '{}': no dimensions given", text);
  return std::make_pair(name, shape);
}

}  // namespace tml
