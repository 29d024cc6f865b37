#include "compiler/onnx/importer.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
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

// 4294967296 -> "4,294,967,296".
std::string Grouped(int64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The default-domain opsets tinyml-compile reads (README "Supported ONNX").
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;

// ---- Counting graph entries on the wire, before protobuf builds them. ----
// A small file of empty nodes or initializers costs protobuf hundreds of
// bytes of memory per few bytes of file; counting them first bounds that.
class WireReader {
 public:
  WireReader(const char* begin, const char* end)
      : p_(reinterpret_cast<const uint8_t*>(begin)), end_(reinterpret_cast<const uint8_t*>(end)) {}
  bool done() const { return p_ == end_; }
  // Reads one field; a length-delimited one's payload is [*sub, *sub_end).
  bool Next(uint64_t* field, const char** sub, const char** sub_end) {
    uint64_t tag = 0;
    if (!Varint(&tag)) return false;
    *field = tag >> 3;
    *sub = *sub_end = nullptr;
    switch (tag & 7) {
      case 0: {
        uint64_t v = 0;
        return Varint(&v);
      }
      case 1:
        return Skip(8);
      case 5:
        return Skip(4);
      case 2: {
        uint64_t len = 0;
        if (!Varint(&len) || len > static_cast<uint64_t>(end_ - p_)) return false;
        *sub = reinterpret_cast<const char*>(p_);
        *sub_end = *sub + len;
        p_ += len;
        return true;
      }
      default:  // groups (unused by ONNX) or garbage: leave it to the parser
        return false;
    }
  }

 private:
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      const uint8_t b = *p_++;
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Skip(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

struct WireCounts {
  int64_t nodes = 0;         // NodeProto, in the graph, subgraphs and functions
  int64_t initializers = 0;  // TensorProto / SparseTensorProto initializers
};

bool CountGraph(const char* begin, const char* end, int depth, WireCounts* counts);

// NodeProto: attribute = 5; AttributeProto: g = 6, graphs = 11.
bool CountNode(const char* begin, const char* end, int depth, WireCounts* counts) {
  ++counts->nodes;
  WireReader node(begin, end);
  while (!node.done()) {
    uint64_t field = 0;
    const char *sub = nullptr, *sub_end = nullptr;
    if (!node.Next(&field, &sub, &sub_end)) return false;
    if (field != 5 || sub == nullptr) continue;
    WireReader attr(sub, sub_end);
    while (!attr.done()) {
      uint64_t afield = 0;
      const char *g = nullptr, *g_end = nullptr;
      if (!attr.Next(&afield, &g, &g_end)) return false;
      if ((afield == 6 || afield == 11) && g != nullptr &&
          !CountGraph(g, g_end, depth + 1, counts)) {
        return false;
      }
    }
  }
  return true;
}

// GraphProto: node = 1, initializer = 5, sparse_initializer = 15.
bool CountGraph(const char* begin, const char* end, int depth, WireCounts* counts) {
  if (depth > 64) return false;
  WireReader graph(begin, end);
  while (!graph.done()) {
    uint64_t field = 0;
    const char *sub = nullptr, *sub_end = nullptr;
    if (!graph.Next(&field, &sub, &sub_end)) return false;
    if (sub == nullptr) continue;
    if (field == 1 && !CountNode(sub, sub_end, depth, counts)) return false;
    if (field == 5 || field == 15) ++counts->initializers;
  }
  return true;
}

// ModelProto: graph = 7, functions = 25 (FunctionProto: node = 7). False when
// the bytes are not well-formed protobuf (the parser then says so).
bool CountModel(const std::string& bytes, WireCounts* counts) {
  WireReader model(bytes.data(), bytes.data() + bytes.size());
  while (!model.done()) {
    uint64_t field = 0;
    const char *sub = nullptr, *sub_end = nullptr;
    if (!model.Next(&field, &sub, &sub_end)) return false;
    if (sub == nullptr) continue;
    if (field == 7 && !CountGraph(sub, sub_end, 0, counts)) return false;
    if (field == 25) {
      WireReader function(sub, sub_end);
      while (!function.done()) {
        uint64_t ffield = 0;
        const char *n = nullptr, *n_end = nullptr;
        if (!function.Next(&ffield, &n, &n_end)) return false;
        if (ffield == 7 && n != nullptr && !CountNode(n, n_end, 1, counts)) return false;
      }
    }
  }
  return true;
}

Status CheckEntryCounts(const WireCounts& counts, int64_t max_nodes) {
  if (counts.nodes > max_nodes) {
    return InvalidInput(
        "the model has {} node{}, more than the limit of {}; raise it with --max-nodes if the "
        "model is meant to be this large",
        Grouped(counts.nodes), counts.nodes == 1 ? "" : "s", Grouped(max_nodes));
  }
  if (counts.initializers > max_nodes) {
    return InvalidInput(
        "the model has {} initializers, more than the limit of {} (the node limit bounds "
        "initializers too); raise it with --max-nodes if the model is meant to be this large",
        Grouped(counts.initializers), Grouped(max_nodes));
  }
  return Status::Ok();
}

// ---- Names: valid UTF-8 everywhere after import. ----
void FixUtf8(std::string* text) {
  if (!IsValidUtf8(*text)) *text = ToValidUtf8(*text);
}

void FixValueInfo(onnx::ValueInfoProto* info) {
  FixUtf8(info->mutable_name());
  if (!info->has_type() || !info->type().has_tensor_type() ||
      !info->type().tensor_type().has_shape()) {
    return;
  }
  for (auto& dim : *info->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim()) {
    if (dim.has_dim_param()) FixUtf8(dim.mutable_dim_param());
  }
}

// Every name and string the importer reads, in place, so that references
// (node inputs to outputs, initializers) still match after the fix.
void MakeNamesValidUtf8(onnx::ModelProto& model) {
  FixUtf8(model.mutable_producer_name());
  FixUtf8(model.mutable_producer_version());
  onnx::GraphProto* graph = model.mutable_graph();
  FixUtf8(graph->mutable_name());
  for (auto& info : *graph->mutable_input()) FixValueInfo(&info);
  for (auto& info : *graph->mutable_output()) FixValueInfo(&info);
  for (auto& info : *graph->mutable_value_info()) FixValueInfo(&info);
  for (auto& init : *graph->mutable_initializer()) FixUtf8(init.mutable_name());
  for (auto& sparse : *graph->mutable_sparse_initializer()) {
    FixUtf8(sparse.mutable_values()->mutable_name());
  }
  for (auto& node : *graph->mutable_node()) {
    FixUtf8(node.mutable_name());
    FixUtf8(node.mutable_op_type());
    FixUtf8(node.mutable_domain());
    for (auto& name : *node.mutable_input()) FixUtf8(&name);
    for (auto& name : *node.mutable_output()) FixUtf8(&name);
    for (auto& attr : *node.mutable_attribute()) {
      FixUtf8(attr.mutable_name());
      if (attr.has_s()) FixUtf8(attr.mutable_s());
      for (auto& text : *attr.mutable_strings()) FixUtf8(&text);
    }
  }
}

int64_t ElementBytes(DType dtype) { return dtype == DType::kFloat32 ? 4 : 8; }

// The IR dtype a TensorProto becomes (TensorFromProto rejects the others).
DType ProtoDType(const onnx::TensorProto& proto) {
  const int type = proto.data_type();
  return type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::DOUBLE ? DType::kFloat32
                                                                               : DType::kInt64;
}

// Multiply-accumulates (or element visits) of evaluating `node` once, to
// bound what folding an all-constant node may cost. Saturates.
int64_t FoldCost(const Graph& g, const Node& node) {
  int64_t cost = 0;
  std::vector<TensorId> touched = node.inputs;
  touched.insert(touched.end(), node.outputs.begin(), node.outputs.end());
  for (TensorId id : touched) {
    if (id != kNoTensor && !CheckedAdd(cost, g.tensor(id).num_elements(), &cost)) {
      return std::numeric_limits<int64_t>::max();
    }
  }
  auto shape = [&](size_t i) -> const Shape& { return g.tensor(node.input(i)).shape; };
  switch (node.op) {
    case OpKind::kMatMul:
    case OpKind::kGemm: {
      const Shape& a = shape(0);
      const int64_t k = a.empty() ? 1
                        : node.op == OpKind::kGemm && node.GetInt("transA", 0) ? a.front()
                                                                                : a.back();
      return SaturatingMul(g.tensor(node.output(0)).num_elements(), k);
    }
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn: {
      // seq * batch steps, each touching every element of W and R.
      const Shape& x = shape(0);
      const int64_t steps = x.size() == 3 && x[2] > 0 ? NumElements(x) / x[2] : 0;
      return SaturatingMul(steps, g.tensor(node.input(1)).num_elements() +
                                      g.tensor(node.input(2)).num_elements());
    }
    default:
      return cost;
  }
}

class Importer {
 public:
  Importer(std::string label, const ImportOptions& options) : label_(std::move(label)), options_(options) {}

  StatusOr<ImportResult> Run(onnx::ModelProto& model);

 private:
  Status CheckModel(onnx::ModelProto& model);
  Status CheckOpset(const onnx::ModelProto& model);
  Status CheckSupported(const onnx::GraphProto& graph);
  // A tensor's shape against the overflow checks, the hard caps and the
  // largest-tensor limit; `what` names it ("input 'x'", "node 'n' (...): output 'y'").
  Status CheckTensorSize(const Shape& shape, DType dtype, const std::string& what) const;
  // Adds `bytes` of constants to the running total, against max_weight_bytes.
  Status AddConstantBytes(int64_t bytes, const std::string& what);
  Status ImportInputs(const onnx::GraphProto& graph);
  Status ImportInitializers(const onnx::GraphProto& graph);
  Status ImportNode(const onnx::NodeProto& proto, int index);
  Status ImportConstantNode(const onnx::NodeProto& proto, const std::string& label);
  StatusOr<Attribute> ConvertAttribute(const onnx::AttributeProto& attr, const Node& node);
  Status FoldIfConstant(Node& node, bool* folded);
  Status ImportOutputs(const onnx::GraphProto& graph);
  void RemoveDeadNodes();
  Status CheckIntegerInputs() const;
  void WarnOnNonFinite(const Tensor& t);
  TensorId AddConstant(Tensor t, const std::string& onnx_name);

  std::string label_;
  const ImportOptions& options_;
  int opset_ = 0;
  int64_t constant_bytes_ = 0;
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
  TML_RETURN_IF_ERROR(CheckIntegerInputs());
  return std::move(result_);
}

// Token ids index an embedding table and nothing else: the reference, the
// passes and the firmware treat every other node input as float data.
Status Importer::CheckIntegerInputs() const {
  const Graph& g = result_.graph;
  for (TensorId id : g.inputs()) {
    if (g.tensor(id).dtype != DType::kInt64) continue;
    for (const Node& node : g.nodes()) {
      for (size_t k = 0; k < node.inputs.size(); ++k) {
        if (node.inputs[k] != id || (node.op == OpKind::kGather && k == 1)) continue;
        return InvalidInput(
            "graph input '{}' holds integers and feeds {} as its input {}; integer inputs are "
            "supported as Gather indices (an embedding lookup) only: bake others (e.g. "
            "sequence_lens) into the model",
            g.tensor(id).name, node.Describe(), k);
      }
    }
  }
  return Status::Ok();
}

Status Importer::CheckModel(onnx::ModelProto& model) {
  int64_t opset = 0;
  for (const auto& entry : model.opset_import()) {
    if (IsDefaultDomain(entry.domain())) opset = entry.version();
  }
  if (!model.has_graph() || opset <= 0) {
    return InvalidInput("not an ONNX model (no graph or no default-domain opset_import)");
  }
  if (opset > kMaxOpset) {
    return InvalidInput(
        "opset {} is not supported: tinyml-compile reads ONNX opsets {} to {}; export with "
        "opset_version={} (torch.onnx.export) or convert the model with "
        "onnx.version_converter.convert_version(model, {})",
        opset, kMinOpset, kMaxOpset, kMaxOpset, kMaxOpset);
  }
  opset_ = static_cast<int>(opset);
  MakeNamesValidUtf8(model);
  TML_RETURN_IF_ERROR(CheckOpset(model));
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

// Opsets below 7 are read only when every node's definition is the one it
// has in opset 7 (ONNX's schema history, e.g. HardSigmoid-6 = HardSigmoid at
// opset 7; Gemm-6 and Add-6 had other attributes). Unsupported ops are left
// to CheckSupported.
Status Importer::CheckOpset(const onnx::ModelProto& model) {
  if (opset_ >= kMinOpset) return Status::Ok();
  std::vector<std::string> changed;
  const onnx::GraphProto& graph = model.graph();
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& node = graph.node(i);
    OpKind kind;
    if (!IsDefaultDomain(node.domain()) ||
        !(IsDissolvedOp(node.op_type()) || OpKindFromName(node.op_type(), &kind))) {
      continue;
    }
    const auto* old_schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset_, "");
    const auto* schema7 = onnx::OpSchemaRegistry::Schema(node.op_type(), kMinOpset, "");
    if (old_schema == nullptr || schema7 == nullptr ||
        old_schema->since_version() != schema7->since_version()) {
      changed.push_back(fmt::format("'{}' ({}-{}, {}-{} in opset {})", NodeLabel(node, i),
                                    node.op_type(),
                                    old_schema ? old_schema->since_version() : opset_,
                                    node.op_type(),
                                    schema7 ? schema7->since_version() : kMinOpset, kMinOpset));
    }
  }
  if (!changed.empty()) {
    return InvalidInput(
        "opset {} is older than the ONNX opsets {} to {} tinyml-compile reads, and {} node{} "
        "changed meaning since: {}; convert the model with "
        "onnx.version_converter.convert_version(model, 13) or re-export it with opset_version >= {}",
        opset_, kMinOpset, kMaxOpset, changed.size(), changed.size() == 1 ? "" : "s",
        fmt::join(changed, ", "), kMinOpset);
  }
  result_.warnings.push_back(fmt::format(
      "{}: opset {} is older than the ONNX opsets {} to {} tinyml-compile reads; its nodes are "
      "read as opset {}, where their definitions are unchanged",
      label_, opset_, kMinOpset, kMaxOpset, kMinOpset));
  return Status::Ok();
}

Status Importer::CheckTensorSize(const Shape& shape, DType dtype, const std::string& what) const {
  for (int64_t d : shape) {
    if (d < 0) return InvalidInput("{} has shape {}, with a negative dimension", what, ShapeToString(shape));
  }
  int64_t count = 0;
  if (!CheckedNumElements(shape, &count)) {
    return InvalidInput("{} has shape {}: its element count overflows 64 bits", what,
                        ShapeToString(shape));
  }
  const int64_t bytes = SaturatingMul(count, ElementBytes(dtype));
  const int64_t limit = options_.limits.max_tensor_bytes;
  if (bytes > limit) {
    return InvalidInput(
        "{} has shape {} ({} {} values, {}), more than the largest-tensor limit of {}; raise "
        "it with --max-tensor-mb if the model is meant to be this large",
        what, ShapeToString(shape), Grouped(count), DTypeName(dtype), FormatBytes(bytes),
        FormatBytes(limit));
  }
  for (int64_t d : shape) {
    if (d > kMaxDim) {
      return InvalidInput("{} has shape {}: dimension {} is larger than 2^31 - 1, the most the "
                          "generated C can count",
                          what, ShapeToString(shape), d);
    }
  }
  if (count > kMaxElements) {
    return InvalidInput("{} has shape {}: {} elements, more than 2^31 - 1, the most the generated "
                        "C can count",
                        what, ShapeToString(shape), Grouped(count));
  }
  return Status::Ok();
}

Status Importer::AddConstantBytes(int64_t bytes, const std::string& what) {
  const int64_t limit = options_.limits.max_weight_bytes;
  int64_t total = 0;
  if (!CheckedAdd(constant_bytes_, bytes, &total)) total = std::numeric_limits<int64_t>::max();
  constant_bytes_ = total;
  if (total > limit) {
    return InvalidInput(
        "{}: the model's constants (weights and folded constants) reach {} with it, more than "
        "the limit of {}; raise it with --max-weights-mb if the model is meant to be this large",
        what, FormatBytes(constant_bytes_), FormatBytes(limit));
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
  const int64_t bad = CountNonFinite(t.f32);
  if (bad > 0) {
    result_.warnings.push_back(fmt::format(
        "{}: tensor '{}' holds {} NaN/Inf value{}; the model's outputs will not be finite",
        label_, t.name, bad, bad == 1 ? "" : "s"));
  }
}

Status Importer::ImportInitializers(const onnx::GraphProto& graph) {
  for (const onnx::TensorProto& init : graph.initializer()) {
    // Sizes first, from the dims alone: nothing is allocated for a tensor
    // over the limits.
    const std::string what = fmt::format("initializer '{}'", init.name());
    const Shape shape(init.dims().begin(), init.dims().end());
    const DType dtype = ProtoDType(init);
    TML_RETURN_IF_ERROR(CheckTensorSize(shape, dtype, what));
    TML_RETURN_IF_ERROR(AddConstantBytes(NumElements(shape) * ElementBytes(dtype), what));
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
    // Integer inputs are token ids (int64 from PyTorch, int32 from others);
    // CheckIntegerInputs limits them to Gather indices once the nodes are in.
    const bool integer = elem == onnx::TensorProto::INT64 || elem == onnx::TensorProto::INT32;
    if (elem != onnx::TensorProto::FLOAT && elem != onnx::TensorProto::DOUBLE && !integer) {
      return InvalidInput(
          "graph input '{}' has element type {}; model inputs must be float, or int64/int32 "
          "token ids that feed a Gather (embedding lookup)",
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
    const DType dtype = integer ? DType::kInt64 : DType::kFloat32;
    TML_RETURN_IF_ERROR(CheckTensorSize(shape, dtype, fmt::format("input '{}'", input.name())));
    Tensor t;
    t.name = input.name();
    t.dtype = dtype;
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
    const Shape shape(attr.t().dims().begin(), attr.t().dims().end());
    TML_RETURN_IF_ERROR(CheckTensorSize(shape, ProtoDType(attr.t()),
                                        fmt::format("{}: value", context)));
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
  const std::string what = fmt::format("{}: value", context);
  TML_RETURN_IF_ERROR(CheckTensorSize(t.shape, t.dtype, what));
  TML_RETURN_IF_ERROR(AddConstantBytes(t.num_elements() * ElementBytes(t.dtype), what));
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
  // The output shapes Prepare computed, before anything is allocated: this is
  // what stops a tiny model from asking for a huge Tile or ConstantOfShape.
  for (TensorId id : node.outputs) {
    if (id == kNoTensor) continue;
    const Tensor& out = g.tensor(id);
    TML_RETURN_IF_ERROR(CheckTensorSize(
        out.shape, out.dtype, fmt::format("{}: output '{}'", node.Describe(), out.name)));
  }
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
  const int64_t cost = FoldCost(g, node);
  if (cost > kMaxFoldMacs) {
    return InvalidInput(
        "{}: all its inputs are constants, and computing them at import would take {} "
        "multiply-accumulates, more than the {} tinyml-compile allows for folding; this is not "
        "shape plumbing: make an input of the model depend on the data",
        node.Describe(), Grouped(cost), Grouped(kMaxFoldMacs));
  }
  for (TensorId id : node.outputs) {
    if (id == kNoTensor) continue;
    const Tensor& out = g.tensor(id);
    TML_RETURN_IF_ERROR(AddConstantBytes(out.num_elements() * ElementBytes(out.dtype),
                                         fmt::format("{}: output '{}' (folded, shape {})",
                                                     node.Describe(), out.name,
                                                     ShapeToString(out.shape))));
  }
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
  const int64_t size = static_cast<int64_t>(bytes.size());
  if (size > options.limits.max_model_bytes) {
    return InvalidInput(
        "{}: the model is {}, more than the model-file limit of {}; raise it with --max-model-mb "
        "if the model is meant to be this large",
        label, FormatBytes(size), FormatBytes(options.limits.max_model_bytes));
  }
  WireCounts counts;
  if (CountModel(bytes, &counts)) {
    TML_RETURN_IF_ERROR(CheckEntryCounts(counts, options.limits.max_nodes).WithPrefix(label));
  }
  if (!model.ParseFromString(bytes)) {
    return InvalidInput("{}: not an ONNX model (protobuf parsing failed; is the file truncated?)",
                        label);
  }
  counts = WireCounts{model.graph().node_size(), model.graph().initializer_size()};
  TML_RETURN_IF_ERROR(CheckEntryCounts(counts, options.limits.max_nodes).WithPrefix(label));
  Importer importer(label, options);
  StatusOr<ImportResult> result = importer.Run(model);
  if (!result.ok()) return result.status().WithPrefix(label);
  return result;
}

StatusOr<ImportResult> ImportOnnxFile(const std::string& path, const ImportOptions& options) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return InvalidInput("{}: no such file or not readable", path);
  if (S_ISDIR(info.st_mode)) return InvalidInput("{}: is a directory, not an ONNX model", path);
  const int64_t limit = options.limits.max_model_bytes;
  if (S_ISREG(info.st_mode) && info.st_size > limit) {
    return InvalidInput(
        "{}: the file is {}, more than the model-file limit of {}; raise it with --max-model-mb "
        "if the model is meant to be this large",
        path, FormatBytes(info.st_size), FormatBytes(limit));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidInput("{}: no such file or not readable", path);
  // Read at most limit + 1 bytes: a pipe or a device has no size to check first.
  std::string bytes;
  if (S_ISREG(info.st_mode)) bytes.reserve(static_cast<size_t>(info.st_size));
  constexpr size_t kChunk = size_t{1} << 20;
  std::vector<char> chunk(kChunk);
  while (file && static_cast<int64_t>(bytes.size()) <= limit) {
    file.read(chunk.data(), static_cast<std::streamsize>(kChunk));
    bytes.append(chunk.data(), static_cast<size_t>(file.gcount()));
  }
  if (file.bad()) return InvalidInput("{}: read error", path);
  if (static_cast<int64_t>(bytes.size()) > limit) {
    return InvalidInput(
        "{}: the file is larger than the model-file limit of {}; raise it with --max-model-mb "
        "if the model is meant to be this large",
        path, FormatBytes(limit));
  }
  return ImportOnnxBytes(bytes, path, options);
}

StatusOr<std::pair<std::string, Shape>> ParseInputShape(const std::string& text) {
  std::string name;
  std::string dims = text;
  size_t eq = text.find('=');
  if (eq != std::string::npos) {
    name = text.substr(0, eq);
    dims = text.substr(eq + 1);
  }
  if (!IsValidUtf8(name)) {
    return InvalidInput("--input-shape '{}': the input name is not valid UTF-8", ToValidUtf8(text));
  }
  Shape shape;
  std::stringstream stream(dims);
  std::string item;
  while (std::getline(stream, item, ',')) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0 || errno == ERANGE) {
      return InvalidInput("--input-shape '{}': expected NAME=D1,D2,... with positive integers",
                          ToValidUtf8(text));
    }
    if (v > kMaxDim) {
      return InvalidInput("--input-shape '{}': dimension {} is larger than 2^31 - 1, the most the "
                          "generated C can count",
                          ToValidUtf8(text), v);
    }
    shape.push_back(v);
  }
  if (shape.empty()) return InvalidInput("--input-shape '{}': no dimensions given", ToValidUtf8(text));
  return std::make_pair(name, shape);
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(const std::string& s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

bool IsValidUtf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string ToValidUtf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  return out;
}

std::string FormatBytes(int64_t bytes) {
  constexpr int64_t kGiB = 1024 * kMiB;
  const auto scaled = [&](int64_t unit, const char* name) {
    if (bytes % unit == 0) return fmt::format("{} {}", bytes / unit, name);
    return fmt::format("{:.1f} {}", static_cast<double>(bytes) / static_cast<double>(unit), name);
  };
  if (bytes > kGiB) return scaled(kGiB, "GB");
  if (bytes >= kMiB) return scaled(kMiB, "MB");
  return fmt::format("{} bytes", bytes);
}

}  // namespace tml
