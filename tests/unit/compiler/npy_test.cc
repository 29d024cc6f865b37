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
