#include "compiler/npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tml {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

// Value of `key` in the header dict, e.g. "'<f4'" for 'descr'.
std::string HeaderField(const std::string& header, const std::string& key) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos) return "";
  pos = header.find(':', pos);
  if (pos == std::string::npos) return "";
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  size_t end = pos;
  if (pos < header.size() && header[pos] == '(') {
    end = header.find(')', pos);
    return end == std::string::npos ? "" : header.substr(pos, end - pos + 1);
  }
  if (pos < header.size() && header[pos] == '\'') {
    end = header.find('\'', pos + 1);
    return end == std::string::npos ? "" : header.substr(pos + 1, end - pos - 1);
  }
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  return header.substr(pos, end - pos);
}

StatusOr<Shape> ParseShape(const std::string& text, const std::string& path) {
  Shape shape;
  std::string inner = text.size() >= 2 ? text.substr(1, text.size() - 2) : "";
  std::stringstream stream(inner);
  std::string item;
  while (std::getline(stream, item, ',')) {
    size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    char* end = nullptr;
    long long v = std::strtoll(item.c_str() + first, &end, 10);
    if (v < 0) return InvalidInput("{}: bad shape {} in the .npy header", path, text);
    shape.push_back(v);
  }
  return shape;
}

template <typename T>
void CopyOut(const char* bytes, int64_t count, std::vector<float>* f32, std::vector<int64_t>* i64) {
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, bytes + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    if (f32) f32->push_back(static_cast<float>(v));
    if (i64) i64->push_back(static_cast<int64_t>(v));
  }
}

}  // namespace

StatusOr<Tensor> ReadNpy(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidInput("{}: no such file or not readable", path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string data = buffer.str();
  if (data.size() < 10 || data.compare(0, 6, kMagic, 6) != 0) {
    return InvalidInput("{}: not a NumPy .npy file (save arrays with numpy.save)", path);
  }
  const int major = static_cast<unsigned char>(data[6]);
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(data[8]) | (static_cast<unsigned char>(data[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12) return InvalidInput("{}: truncated .npy header", path);
    uint32_t len;
    std::memcpy(&len, data.data() + 8, 4);
    header_len = len;
    header_start = 12;
  } else {
    return InvalidInput("{}: unsupported .npy format version {}", path, major);
  }
  if (data.size() < header_start + header_len) {
    return InvalidInput("{}: truncated .npy header", path);
  }
  const std::string header = data.substr(header_start, header_len);
  const std::string descr = HeaderField(header, "descr");
  const std::string fortran = HeaderField(header, "fortran_order");
  if (fortran.find("True") != std::string::npos) {
    return InvalidInput("{}: Fortran-order arrays are not supported; save with "
                        "numpy.save(path, numpy.ascontiguousarray(x))",
                        path);
  }
  TML_ASSIGN_OR_RETURN(Shape shape, ParseShape(HeaderField(header, "shape"), path));
  Tensor t;
  t.name = path;
  t.shape = shape;
  t.role = TensorRole::kInput;
  const int64_t count = NumElements(shape);
  const char* body = data.data() + header_start + header_len;
  const size_t body_size = data.size() - header_start - header_len;

  struct Kind {
    const char* descr;
    size_t size;
    bool is_float;
  };
  static const Kind kKinds[] = {{"<f4", 4, true},  {"<f8", 8, true},  {"|i1", 1, false},
                                {"|u1", 1, false}, {"|b1", 1, false}, {"<i2", 2, false},
                                {"<i4", 4, false}, {"<i8", 8, false}, {"<u2", 2, false},
                                {"<u4", 4, false}};
  const Kind* kind = nullptr;
  for (const Kind& k : kKinds) {
    if (descr == k.descr) kind = &k;
  }
  if (kind == nullptr) {
    return InvalidInput("{}: dtype '{}' is not supported (float32, float64 or integer arrays are)",
                        path, descr);
  }
  if (body_size < static_cast<size_t>(count) * kind->size) {
    return InvalidInput("{}: truncated: {} bytes of data for shape {} of {}", path, body_size,
                        ShapeToString(shape), descr);
  }
  t.dtype = kind->is_float ? DType::kFloat32 : DType::kInt64;
  std::vector<float>* f32 = kind->is_float ? &t.f32 : nullptr;
  std::vector<int64_t>* i64 = kind->is_float ? nullptr : &t.i64;
  if (descr == "<f4") CopyOut<float>(body, count, f32, i64);
  else if (descr == "<f8") CopyOut<double>(body, count, f32, i64);
  else if (descr == "|i1") CopyOut<int8_t>(body, count, f32, i64);
  else if (descr == "|u1" || descr == "|b1") CopyOut<uint8_t>(body, count, f32, i64);
  else if (descr == "<i2") CopyOut<int16_t>(body, count, f32, i64);
  else if (descr == "<u2") CopyOut<uint16_t>(body, count, f32, i64);
  else if (descr == "<i4") CopyOut<int32_t>(body, count, f32, i64);
  else if (descr == "<u4") CopyOut<uint32_t>(body, count, f32, i64);
  else CopyOut<int64_t>(body, count, f32, i64);
  return t;
}

Status WriteNpy(const std::string& path, const Tensor& t) {
  const bool is_float = t.dtype == DType::kFloat32;
  std::string shape_text = "(";
  for (int64_t d : t.shape) shape_text += std::to_string(d) + ", ";
  if (t.shape.size() > 1) shape_text.resize(shape_text.size() - 2);
  if (t.shape.size() == 1) shape_text.resize(shape_text.size() - 1);
  shape_text += ")";
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                   is_float ? "<f4" : "<i8", shape_text);
  // Pad so the data starts on a 64-byte boundary, ending the header with '\n'.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  // Written next to the target and renamed, so a failure never leaves half a file.
  const std::string temp_path = path + ".tmp";
  std::ofstream file(temp_path, std::ios::binary | std::ios::trunc);
  if (!file) return InvalidInput("{}: cannot write file", path);
  file.write(kMagic, 6);
  const char version[2] = {1, 0};
  file.write(version, 2);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  file.write(len_bytes, 2);
  file.write(header.data(), static_cast<std::streamsize>(header.size()));
  if (is_float) {
    file.write(reinterpret_cast<const char*>(t.f32.data()),
               static_cast<std::streamsize>(t.f32.size() * sizeof(float)));
  } else {
    file.write(reinterpret_cast<const char*>(t.i64.data()),
               static_cast<std::streamsize>(t.i64.size() * sizeof(int64_t)));
  }
  file.close();
  if (!file) {
    std::remove(temp_path.c_str());
    return InvalidInput("{}: write failed (disk full?)", path);
  }
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    std::remove(temp_path.c_str());
    return InvalidInput("{}: cannot write file", path);
  }
  return Status::Ok();
}

}  // namespace tml
