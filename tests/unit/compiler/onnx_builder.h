// A small helper to build ONNX models in memory for importer tests, so each
// test states its model in a few readable lines instead of a binary file.
#ifndef TML_TESTS_UNIT_COMPILER_ONNX_BUILDER_H_
#define TML_TESTS_UNIT_COMPILER_ONNX_BUILDER_H_

#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace tml::testing {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 14) {
    model_.set_ir_version(8);
    model_.set_producer_name("onnx_builder");
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test_graph");
  }

  OnnxBuilder& Input(const std::string& name, const std::vector<int64_t>& dims,
                     int elem = onnx::TensorProto::FLOAT) {
    AddValueInfo(model_.mutable_graph()->add_input(), name, dims, elem);
    return *this;
  }
  // A dimension given as a symbolic name (dynamic).
  OnnxBuilder& DynamicInput(const std::string& name, const std::string& dim0, int64_t dim1) {
    auto* vi = model_.mutable_graph()->add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_param(dim0);
    tt->mutable_shape()->add_dim()->set_dim_value(dim1);
    return *this;
  }
  // The ONNX checker requires a shape on graph outputs.
  OnnxBuilder& Output(const std::string& name, const std::vector<int64_t>& dims) {
    AddValueInfo(model_.mutable_graph()->add_output(), name, dims, onnx::TensorProto::FLOAT);
    return *this;
  }
  OnnxBuilder& Floats(const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<float>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
    return *this;
  }
  // Fills a float initializer with a deterministic ramp (values in [-1, 1]).
  OnnxBuilder& Ramp(const std::string& name, const std::vector<int64_t>& dims) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::vector<float> values;
    for (int64_t i = 0; i < n; ++i) values.push_back(static_cast<float>((i * 37 % 101) - 50) / 50.f);
    return Floats(name, dims, values);
  }
  OnnxBuilder& Ints(const std::string& name, const std::vector<int64_t>& dims,
                    const std::vector<int64_t>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }
  onnx::NodeProto& Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }
  static void IntAttr(onnx::NodeProto& n, const std::string& key, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void IntsAttr(onnx::NodeProto& n, const std::string& key, const std::vector<int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  std::string Bytes() const { return model_.SerializeAsString(); }
  onnx::ModelProto& model() { return model_; }

 private:
  static void AddValueInfo(onnx::ValueInfoProto* vi, const std::string& name,
                           const std::vector<int64_t>& dims, int elem) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::ModelProto model_;
};

}  // namespace tml::testing

#endif  // TML_TESTS_UNIT_COMPILER_ONNX_BUILDER_H_
