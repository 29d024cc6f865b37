#include "compiler/npy.h"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

namespace tml {
namespace {

TEST(NpyTest, RoundTripFloatAndInt) {
  const std::string path = ::testing::TempDir() + "/roundtrip.npy";
  Tensor t;
  t.shape = {2, 3};
  t.f32 = {1, 2, 3, 4.5f, -5, 6};
  ASSERT_TRUE(WriteNpy(path, t).ok());
  auto back = ReadNpy(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->shape, t.shape);
  EXPECT_EQ(back->f32, t.f32);

  Tensor labels;
  labels.dtype = DType::kInt64;
  labels.shape = {4};
  labels.i64 = {0, 9, 3, -1};
  ASSERT_TRUE(WriteNpy(path, labels).ok());
  auto labels_back = ReadNpy(path);
  ASSERT_TRUE(labels_back.ok());
  EXPECT_EQ(labels_back->dtype, DType::kInt64);
  EXPECT_EQ(labels_back->shape, labels.shape);
  EXPECT_EQ(labels_back->i64, labels.i64);
  std::remove(path.c_str());
}

// Token ids come as int32 or int64 files (PyTorch's default is int64); both
// read as int64 values.
TEST(NpyTest, ReadsInt32AndInt64TokenIds) {
  const std::string path = ::testing::TempDir() + "/ids.npy";
  for (const char* descr : {"<i4", "<i8"}) {
    const int width = descr[2] - '0';
    std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (2, 3), }";
    header.resize(117, ' ');  // 10 + 118 header bytes: 64-byte aligned data
    header += '\n';
    std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size() & 0xff) +
                        static_cast<char>(header.size() >> 8) + header;
    for (int64_t v : {0, 7, 47, 3, 1, 2}) {
      for (int b = 0; b < width; ++b) bytes += static_cast<char>((static_cast<uint64_t>(v) >> (8 * b)) & 0xff);
    }
    { std::ofstream(path, std::ios::binary) << bytes; }
    auto t = ReadNpy(path);
    ASSERT_TRUE(t.ok()) << descr << ": " << t.status().message();
    EXPECT_EQ(t->dtype, DType::kInt64) << descr;
    EXPECT_EQ(t->shape, (Shape{2, 3})) << descr;
    EXPECT_EQ(t->i64, (std::vector<int64_t>{0, 7, 47, 3, 1, 2})) << descr;
  }
  std::remove(path.c_str());
}

TEST(NpyTest, RejectsNonNpyAndTruncated) {
  const std::string path = ::testing::TempDir() + "/bad.npy";
  { std::ofstream(path) << "hello"; }
  auto bad = ReadNpy(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.npy: not a NumPy .npy file"), std::string::npos);

  Tensor t;
  t.shape = {100};
  t.f32.assign(100, 1.f);
  ASSERT_TRUE(WriteNpy(path, t).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  { std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 8); }
  auto truncated = ReadNpy(path);
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tml
