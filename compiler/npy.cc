#include "compiler/npy.h"

#include "compiler/atomic_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace tml {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
// NumPy itself reads headers of at most 10,000 bytes and arrays of at most 64 dims.
constexpr size_t kMaxNpyHeaderBytes = 65536;
constexpr size_t kMaxNpyDims = 64;

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

// The 'shape' tuple of the header, e.g. "(100, 8)", "(8,)" or "()": every
// item a non-negative decimal (Python 2 headers may end one with 'L'), the
// element count computed with overflow checks.
StatusOr<Shape> ParseShape(const std::string& text, const std::string& path) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    return InvalidInput("{}: the .npy header has no valid 'shape' tuple", path);
  }
  Shape shape;
  const std::string inner = text.substr(1, text.size() - 2);
  std::stringstream stream(inner);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;  // the trailing comma of "(8,)"
    size_t last = item.find_last_not_of(' ');
    if (item[last] == 'L') --last;
    const std::string digits = item.substr(first, last + 1 - first);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || v < 0 || errno == ERANGE ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidInput("{}: bad shape {} in the .npy header", path, text);
    }
    shape.push_back(v);
    if (shape.size() > kMaxNpyDims) {
      return InvalidInput("{}: shape {} in the .npy header has more than {} dimensions", path,
                          text, kMaxNpyDims);
    }
  }
  int64_t count = 0;
  if (!CheckedNumElements(shape, &count)) {
    return InvalidInput("{}: shape {} in the .npy header has more elements than can be counted "
                        "(the file is corrupt or crafted)",
                        path, text);
  }
  return shape;
}

template <typename T>
void CopyOut(const char* bytes, int64_t count, std::vector<float>* f32, std::vector<int64_t>* i64) {
  if (f32) f32->reserve(static_cast<size_t>(count));
  if (i64) i64->reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, bytes + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    if (f32) f32->push_back(static_cast<float>(v));
    if (i64) i64->push_back(static_cast<int64_t>(v));
  }
}

// The whole file, read up to limit + 1 bytes (a pipe or device has no size).
StatusOr<std::string> ReadCapped(const std::string& path, int64_t limit) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return InvalidInput("{}: no such file or not readable", path);
  if (S_ISDIR(info.st_mode)) return InvalidInput("{}: is a directory, not a .npy file", path);
  if (S_ISREG(info.st_mode) && info.st_size > limit) {
    return InvalidInput("{}: the file is {} bytes, more than the {} MB tinyml-compile reads "
                        "from one .npy file",
                        path, static_cast<int64_t>(info.st_size), limit >> 20);
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidInput("{}: no such file or not readable", path);
  std::string data;
  if (S_ISREG(info.st_mode)) data.reserve(static_cast<size_t>(info.st_size));
  std::vector<char> chunk(size_t{1} << 20);
  while (file && static_cast<int64_t>(data.size()) <= limit) {
    file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    data.append(chunk.data(), static_cast<size_t>(file.gcount()));
  }
  if (file.bad()) return InvalidInput("{}: read error", path);
  if (static_cast<int64_t>(data.size()) > limit) {
    return InvalidInput("{}: the file is more than the {} MB tinyml-compile reads from one "
                        ".npy file",
                        path, limit >> 20);
  }
  return data;
}

}  // namespace

StatusOr<Tensor> ReadNpy(const std::string& path, const NpyLimits& limits) {
  TML_ASSIGN_OR_RETURN(const std::string data, ReadCapped(path, limits.max_bytes));
  return ParseNpy(data, path, limits);
}

StatusOr<Tensor> ParseNpy(const std::string& data, const std::string& path, const NpyLimits& limits) {
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
    const auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(data[i])); };
    header_len = b(8) | (b(9) << 8) | (b(10) << 16) | (b(11) << 24);  // little-endian
    header_start = 12;
  } else {
    return InvalidInput("{}: unsupported .npy format version {}", path, major);
  }
  if (header_len > kMaxNpyHeaderBytes) {
    return InvalidInput("{}: the .npy header is {} bytes, more than the {} a NumPy header can be",
                        path, header_len, kMaxNpyHeaderBytes);
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
  const int64_t count = NumElements(shape);  // checked by ParseShape
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
  // What the file must hold, and what the tensor will take in memory (float32
  // or int64), both with overflow checks, before anything is allocated.
  int64_t data_bytes = 0, tensor_bytes = 0;
  const bool counted = CheckedMul(count, static_cast<int64_t>(kind->size), &data_bytes) &&
                       CheckedMul(count, kind->is_float ? 4 : 8, &tensor_bytes);
  if (!counted || static_cast<uint64_t>(data_bytes) > body_size) {
    return InvalidInput("{}: truncated: {} bytes of data for shape {} of {}", path, body_size,
                        ShapeToString(shape), descr);
  }
  if (tensor_bytes > limits.max_bytes) {
    return InvalidInput("{}: shape {} takes {} bytes in memory, more than the {} MB "
                        "tinyml-compile reads from one .npy file",
                        path, ShapeToString(shape), tensor_bytes, limits.max_bytes >> 20);
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
  std::string bytes(kMagic, 6);
  bytes += std::string("\x01\x00", 2);
  const uint16_t len = static_cast<uint16_t>(header.size());
  bytes += static_cast<char>(len & 0xff);
  bytes += static_cast<char>(len >> 8);
  bytes += header;
  if (is_float) {
    bytes.append(reinterpret_cast<const char*>(t.f32.data()), t.f32.size() * sizeof(float));
  } else {
    bytes.append(reinterpret_cast<const char*>(t.i64.data()), t.i64.size() * sizeof(int64_t));
  }
  // An O_EXCL temporary next to the target, renamed over it: never half a file,
  // never through a planted link, never over a FIFO or device (atomic_file.h).
  return WriteFileAtomically(path, bytes);
}

}  // namespace tml
