#include "codegen/ops/emit_context.h"

#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

bool EmitContext::HasBuffer(TensorId id) const {
  if (id == kNoTensor) return false;
  if (graph_.tensor(id).is_constant()) return true;
  auto it = pointers_.find(id);
  return it != pointers_.end() && it->second != "NULL";
}

StatusOr<std::string> EmitContext::Ptr(TensorId id) {
  if (id == kNoTensor) return std::string("NULL");
  const Tensor& t = graph_.tensor(id);
  if (t.is_constant()) {
    auto it = constant_names_.find(id);
    if (it != constant_names_.end()) return it->second;
    if (t.num_elements() == 0) return std::string("NULL");
    const std::string name = prefix_ + "_w" + std::to_string(constant_names_.size());
    weights_.Comment("'" + t.name + "' " + ShapeToString(t.shape));
    if (t.dtype == DType::kFloat32) {
      weights_.FloatArray("static const float " + name + "[" + std::to_string(t.f32.size()) +
                              "] TML_ALIGN(16)",
                          t.f32);
      weight_bytes_ += static_cast<int64_t>(t.f32.size()) * 4;
    } else {
      // Integer constants reach kernels only as indices / lengths: int32.
      weights_.IntArray("static const int32_t " + name + "[" + std::to_string(t.i64.size()) +
                            "] TML_ALIGN(16)",
                        t.i64);
      weight_bytes_ += static_cast<int64_t>(t.i64.size()) * 4;
    }
    constant_names_[id] = name;
    return name;
  }
  auto it = pointers_.find(id);
  if (it == pointers_.end()) {
    return Internal("tensor '{}' has no buffer in the generated code", t.name);
  }
  return it->second;
}

StatusOr<std::string> EmitContext::Dims(TensorId id) {
  if (id == kNoTensor) return std::string("NULL");
  return DimsOf(graph_.tensor(id).shape);
}

StatusOr<std::string> EmitContext::DimsOf(const Shape& shape) {
  TML_ASSIGN_OR_RETURN(std::string init, DimsInit(shape));
  return "&" + Declare("dims", "tml_dims", init, &statics_);
}

std::string EmitContext::Param(const std::string& type, const std::string& init) {
  return "&" + Declare("p", type, init, &statics_);
}

std::string EmitContext::IndexArray(const std::vector<int64_t>& values) {
  std::string init;
  for (int64_t v : values) init += (init.empty() ? "" : ", ") + std::to_string(v);
  return Declare("idx", "int32_t[" + std::to_string(values.size()) + "]", "{" + init + "}",
                 &statics_);
}

std::string EmitContext::FloatArray(const std::vector<float>& values) {
  std::string init;
  for (float v : values) init += (init.empty() ? "" : ", ") + FloatLiteral(v);
  return Declare("f", "float[" + std::to_string(values.size()) + "]", "{" + init + "}", &statics_);
}

std::string EmitContext::WeightArray(const std::vector<float>& values) {
  std::string key = "weights=";
  for (float v : values) key += FloatLiteral(v) + ",";
  auto it = declared_.find(key);
  if (it != declared_.end()) return it->second;
  const std::string name = prefix_ + "_kw" + std::to_string(counters_["kw"]++);
  weights_.FloatArray("static const float " + name + "[" + std::to_string(values.size()) +
                          "] TML_ALIGN(16)",
                      values);
  weight_bytes_ += static_cast<int64_t>(values.size()) * 4;
  declared_[key] = name;
  return name;
}

std::string EmitContext::IntWeightArray(const std::string& elem_type,
                                        const std::vector<int64_t>& values, int elem_bytes) {
  std::string key = "iweights:" + elem_type + "=";
  for (int64_t v : values) key += std::to_string(v) + ",";
  auto it = declared_.find(key);
  if (it != declared_.end()) return it->second;
  const std::string name = prefix_ + "_qw" + std::to_string(counters_["qw"]++);
  weights_.IntArray("static const " + elem_type + " " + name + "[" +
                        std::to_string(values.size()) + "] TML_ALIGN(16)",
                    values);
  weight_bytes_ += static_cast<int64_t>(values.size()) * elem_bytes;
  declared_[key] = name;
  return name;
}

std::string EmitContext::Array(const std::string& elem_type, size_t count, const std::string& init) {
  return Declare("p", elem_type + "[" + std::to_string(count) + "]", init, &statics_);
}

std::string EmitContext::Declare(const std::string& kind, const std::string& type,
                                 const std::string& init, CWriter* where) {
  const std::string key = type + "=" + init;
  auto it = declared_.find(key);
  if (it != declared_.end()) return it->second;
  const std::string name = prefix_ + "_" + kind + std::to_string(counters_[kind]++);
  // Array types are written "int32_t[3]": the brackets go after the name.
  const size_t bracket = type.find('[');
  const std::string decl = bracket == std::string::npos
                               ? "static const " + type + " " + name
                               : "static const " + type.substr(0, bracket) + " " + name +
                                     type.substr(bracket);
  where->Line(decl + " = " + init + ";");
  declared_[key] = name;
  return name;
}

void EmitContext::Call(const std::string& call) { body_->Line("TML_TRY(" + call + ");"); }

}  // namespace tml::codegen
