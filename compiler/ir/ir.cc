// Small out-of-line helpers of Tensor, Node and Graph.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "compiler/ir/graph.h"

namespace tml {

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kInt64:
      return "int64";
  }
  return "?";
}

const char* TensorRoleName(TensorRole role) {
  switch (role) {
    case TensorRole::kInput:
      return "input";
    case TensorRole::kOutput:
      return "output";
    case TensorRole::kConstant:
      return "constant";
    case TensorRole::kActivation:
      return "activation";
  }
  return "?";
}

bool CheckedMul(int64_t a, int64_t b, int64_t* result) {
  return !__builtin_mul_overflow(a, b, result);
}

bool CheckedAdd(int64_t a, int64_t b, int64_t* result) {
  return !__builtin_add_overflow(a, b, result);
}

int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t r = 0;
  return CheckedMul(a, b, &r) ? r : std::numeric_limits<int64_t>::max();
}

bool CheckedNumElements(const Shape& shape, int64_t* count) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || !CheckedMul(n, d, &n)) return false;
  }
  *count = n;
  return true;
}

int64_t NumElements(const Shape& shape) {
  for (int64_t d : shape) {
    if (d == 0) return 0;
  }
  int64_t n = 1;
  for (int64_t d : shape) {
    if (!CheckedMul(n, d, &n)) return std::numeric_limits<int64_t>::max();
  }
  return n;
}

std::string ShapeToString(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

int64_t CountNonFinite(const std::vector<float>& values) {
  int64_t bad = 0;
  for (float v : values) bad += std::isfinite(v) ? 0 : 1;
  return bad;
}

Shape StripLeadingOnes(const Shape& shape) {
  size_t i = 0;
  while (i < shape.size() && shape[i] == 1) ++i;
  return Shape(shape.begin() + static_cast<std::ptrdiff_t>(i), shape.end());
}

namespace {
struct OpInfo {
  OpKind kind;
  const char* name;
};
constexpr OpInfo kOps[] = {
#define TML_OP(kind, name, family) {OpKind::kind, name},
#include "compiler/ir/op_kinds.def"
#undef TML_OP
};
}  // namespace

const char* OpKindName(OpKind kind) { return kOps[static_cast<int>(kind)].name; }

bool OpKindFromName(const std::string& name, OpKind* kind) {
  // ONNX ops that import as another op kind (their Prepare normalises them).
  static const OpInfo kAliases[] = {{OpKind::kReshape, "Flatten"},
                                    {OpKind::kReshape, "Squeeze"},
                                    {OpKind::kReshape, "Unsqueeze"}};
  for (const OpInfo& info : kAliases) {
    if (name == info.name) {
      *kind = info.kind;
      return true;
    }
  }
  for (const OpInfo& info : kOps) {
    if (name == info.name) {
      *kind = info.kind;
      return true;
    }
  }
  return false;
}

int64_t Node::GetInt(const std::string& key, int64_t fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* v = std::get_if<int64_t>(&it->second)) return *v;
  return fallback;
}

float Node::GetFloat(const std::string& key, float fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* v = std::get_if<float>(&it->second)) return *v;
  if (auto* v = std::get_if<int64_t>(&it->second)) return static_cast<float>(*v);
  return fallback;
}

std::string Node::GetString(const std::string& key, const std::string& fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* v = std::get_if<std::string>(&it->second)) return *v;
  return fallback;
}

std::vector<int64_t> Node::GetInts(const std::string& key) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return {};
  if (auto* v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  return {};
}

std::vector<float> Node::GetFloats(const std::string& key) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return {};
  if (auto* v = std::get_if<std::vector<float>>(&it->second)) return *v;
  return {};
}

std::string Node::Describe() const {
  std::string op_type = onnx_op_type.empty() ? OpKindName(op) : onnx_op_type;
  if (opset > 0) return fmt::format("node '{}' ({}, opset {})", name, op_type, opset);
  return fmt::format("node '{}' ({})", name, op_type);
}

TensorId Graph::AddTensor(Tensor tensor) {
  TensorId id = static_cast<TensorId>(tensors_.size());
  if (tensor.name.empty()) tensor.name = fmt::format("t{}", id);
  by_name_[tensor.name] = id;
  tensors_.push_back(std::move(tensor));
  return id;
}

void Graph::AddNode(Node node) { nodes_.push_back(std::move(node)); }

TensorId Graph::FindTensor(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? kNoTensor : it->second;
}

}  // namespace tml
