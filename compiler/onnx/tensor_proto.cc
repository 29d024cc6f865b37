#include "compiler/onnx/tensor_proto.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include <onnx/onnx_pb.h>

namespace tml {
namespace {

// Copies `count` little-endian values of type T out of raw_data.
template <typename T>
std::vector<T> FromRaw(const std::string& raw, int64_t count) {
  std::vector<T> values(static_cast<size_t>(count));
  if (count == 0) return values;  // raw.data() may be null for an empty tensor
  std::memcpy(values.data(), raw.data(), static_cast<size_t>(count) * sizeof(T));
  return values;
}

template <typename From, typename To>
std::vector<To> Convert(const std::vector<From>& from) {
  return std::vector<To>(from.begin(), from.end());
}

}  // namespace

StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto, const std::string& name) {
  Tensor t;
  t.name = name.empty() ? proto.name() : name;
  t.role = TensorRole::kConstant;
  for (int64_t d : proto.dims()) t.shape.push_back(d);
  int64_t count = 0;
  if (!CheckedNumElements(t.shape, &count)) {
    return InvalidInput("tensor '{}' has an invalid shape {} (a negative dimension, or more "
                        "elements than can be counted)",
                        t.name, ShapeToString(t.shape));
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    return InvalidInput(
        "tensor '{}' keeps its data in an external file; re-export the model with the "
        "weights inside it (onnx.save(model, path, save_as_external_data=False))",
        t.name);
  }
  const std::string& raw = proto.raw_data();
  const bool has_raw = proto.has_raw_data();
  auto check_raw = [&](size_t elem) -> Status {
    int64_t expected = 0;
    if (!CheckedMul(count, static_cast<int64_t>(elem), &expected) ||
        raw.size() != static_cast<uint64_t>(expected)) {
      return InvalidInput("tensor '{}' has {} bytes of data for shape {} ({} expected)", t.name,
                          raw.size(), ShapeToString(t.shape),
                          SaturatingMul(count, static_cast<int64_t>(elem)));
    }
    return Status::Ok();
  };
  auto check_count = [&](int64_t n) -> Status {
    if (n != count) {
      return InvalidInput("tensor '{}' has {} values for shape {} ({} expected)", t.name, n,
                          ShapeToString(t.shape), count);
    }
    return Status::Ok();
  };

  switch (proto.data_type()) {
    case onnx::TensorProto::FLOAT:
      t.dtype = DType::kFloat32;
      if (has_raw) {
        TML_RETURN_IF_ERROR(check_raw(4));
        t.f32 = FromRaw<float>(raw, count);
      } else {
        TML_RETURN_IF_ERROR(check_count(proto.float_data_size()));
        t.f32.assign(proto.float_data().begin(), proto.float_data().end());
      }
      return t;
    case onnx::TensorProto::DOUBLE:
      t.dtype = DType::kFloat32;
      if (has_raw) {
        TML_RETURN_IF_ERROR(check_raw(8));
        t.f32 = Convert<double, float>(FromRaw<double>(raw, count));
      } else {
        TML_RETURN_IF_ERROR(check_count(proto.double_data_size()));
        t.f32.assign(proto.double_data().begin(), proto.double_data().end());
      }
      return t;
    case onnx::TensorProto::INT64:
      t.dtype = DType::kInt64;
      if (has_raw) {
        TML_RETURN_IF_ERROR(check_raw(8));
        t.i64 = FromRaw<int64_t>(raw, count);
      } else {
        TML_RETURN_IF_ERROR(check_count(proto.int64_data_size()));
        t.i64.assign(proto.int64_data().begin(), proto.int64_data().end());
      }
      return t;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::BOOL: {
      t.dtype = DType::kInt64;
      if (has_raw) {
        switch (proto.data_type()) {
          case onnx::TensorProto::INT32:
            TML_RETURN_IF_ERROR(check_raw(4));
            t.i64 = Convert<int32_t, int64_t>(FromRaw<int32_t>(raw, count));
            break;
          case onnx::TensorProto::INT16:
            TML_RETURN_IF_ERROR(check_raw(2));
            t.i64 = Convert<int16_t, int64_t>(FromRaw<int16_t>(raw, count));
            break;
          case onnx::TensorProto::UINT16:
            TML_RETURN_IF_ERROR(check_raw(2));
            t.i64 = Convert<uint16_t, int64_t>(FromRaw<uint16_t>(raw, count));
            break;
          case onnx::TensorProto::INT8:
            TML_RETURN_IF_ERROR(check_raw(1));
            t.i64 = Convert<int8_t, int64_t>(FromRaw<int8_t>(raw, count));
            break;
          default:  // UINT8, BOOL
            TML_RETURN_IF_ERROR(check_raw(1));
            t.i64 = Convert<uint8_t, int64_t>(FromRaw<uint8_t>(raw, count));
            break;
        }
      } else {
        // Narrow integer types and bool are stored in int32_data.
        TML_RETURN_IF_ERROR(check_count(proto.int32_data_size()));
        t.i64.assign(proto.int32_data().begin(), proto.int32_data().end());
      }
      return t;
    }
    default:
      return InvalidInput(
          "tensor '{}' has ONNX data type {}, which tinyml-compile does not support (float, "
          "double and integer tensors are)",
          t.name, onnx::TensorProto::DataType_Name(
                      static_cast<onnx::TensorProto::DataType>(proto.data_type())));
  }
}

StatusOr<Tensor> ReadTensorProtoFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidInput("{}: cannot open file", path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(buffer.str())) {
    return InvalidInput("{}: not a serialized ONNX TensorProto", path);
  }
  StatusOr<Tensor> t = TensorFromProto(proto);
  if (!t.ok()) return t.status().WithPrefix(path);
  return t;
}

}  // namespace tml
