// Transpose, Concat, Slice, Gather and Copy against index-by-index references.
#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "runtime_test_util.h"

namespace tml::test {
namespace {

std::vector<double> ToDouble(const std::vector<float>& v) { return {v.begin(), v.end()}; }

int64_t Offset(const std::vector<int64_t>& idx, const Shape& shape) {
  int64_t off = 0;
  for (size_t k = 0; k < idx.size(); ++k) off = off * shape[k] + idx[k];
  return off;
}

// ---------------------------------------------------------------- Transpose

TEST(TransposeF32Test, MatchesReferenceForRandomPermutations) {
  std::mt19937 rng(61);
  const std::vector<Shape> shapes = {{5},          {3, 4},          {2, 3, 4},
                                     {2, 1, 3, 2}, {2, 3, 1, 2, 3}, {2, 1, 2, 3, 2, 2}};
  for (const Shape& xs : shapes) {
    const int r = static_cast<int>(xs.size());
    for (int trial = 0; trial < 4; ++trial) {
      std::vector<int32_t> perm(r);
      std::iota(perm.begin(), perm.end(), 0);
      if (trial == 1) std::reverse(perm.begin(), perm.end());  // ONNX default perm
      if (trial > 1) std::shuffle(perm.begin(), perm.end(), rng);
      Shape ys(r);
      for (int k = 0; k < r; ++k) ys[k] = xs[perm[k]];
      const auto x = Random(Count(xs), 62 + trial);
      std::vector<double> expected(Count(ys));
      for (int64_t i = 0; i < Count(ys); ++i) {
        const auto yi = Unravel(i, ys);
        std::vector<int64_t> xi(r);
        for (int k = 0; k < r; ++k) xi[perm[k]] = yi[k];
        expected[i] = x[Offset(xi, xs)];
      }
      tml_transpose_params p{};
      for (int k = 0; k < r; ++k) p.perm[k] = perm[k];
      const tml_dims xd = Dims(xs), yd = Dims(ys);
      std::vector<float> y(Count(ys), -99.0f);
      ASSERT_EQ(TML_OK, tml_transpose_f32(nullptr, &p, &xd, x.data(), &yd, y.data()));
      EXPECT_TRUE(AllNear(y, expected)) << ShapeString(xs) << " perm " << ShapeString(perm);
    }
  }
}

TEST(TransposeF32Test, RejectsInvalidPermutation) {
  std::vector<float> x(6), y(6);
  const tml_dims xd = Dims({2, 3}), yd = Dims({3, 2});
  tml_transpose_params p{};
  p.perm[0] = 1;
  p.perm[1] = 1;
  EXPECT_EQ(TML_ERROR_ARG, tml_transpose_f32(nullptr, &p, &xd, x.data(), &yd, y.data()));
  p.perm[0] = 0;
  EXPECT_EQ(TML_ERROR_ARG, tml_transpose_f32(nullptr, &p, &xd, x.data(), &yd, y.data()));
}

// ---------------------------------------------------------------- Concat

TEST(ConcatF32Test, MatchesReferenceOnEveryAxis) {
  const Shape base = {2, 3, 4};
  for (int axis = 0; axis < 3; ++axis) {
    const std::vector<int32_t> extents = {1, base[axis], 0, 2};  // includes an empty input
    std::vector<Shape> shapes;
    std::vector<std::vector<float>> data;
    Shape ys = base;
    ys[axis] = 0;
    for (size_t n = 0; n < extents.size(); ++n) {
      Shape s = base;
      s[axis] = extents[n];
      shapes.push_back(s);
      data.push_back(Random(Count(s), 70 + static_cast<uint32_t>(n)));
      ys[axis] += extents[n];
    }
    std::vector<double> expected(Count(ys));
    for (int64_t i = 0; i < Count(ys); ++i) {
      auto idx = Unravel(i, ys);
      size_t n = 0;
      while (idx[axis] >= shapes[n][axis]) idx[axis] -= shapes[n++][axis];
      expected[i] = data[n][Offset(idx, shapes[n])];
    }
    std::vector<tml_dims> dims;
    std::vector<const float*> ptrs;
    for (size_t n = 0; n < shapes.size(); ++n) {
      dims.push_back(Dims(shapes[n]));
      ptrs.push_back(data[n].empty() ? nullptr : data[n].data());
    }
    const tml_concat_params p{axis, static_cast<int32_t>(shapes.size())};
    const tml_dims yd = Dims(ys);
    std::vector<float> y(Count(ys), -99.0f);
    ASSERT_EQ(TML_OK, tml_concat_f32(nullptr, &p, dims.data(), ptrs.data(), &yd, y.data()));
    EXPECT_TRUE(AllNear(y, expected)) << "axis " << axis;
  }
}

TEST(ConcatF32Test, RejectsMismatchedInputs) {
  std::vector<float> a(6), b(8), y(14);
  const tml_dims dims[2] = {Dims({2, 3}), Dims({2, 4})};
  const float* ptrs[2] = {a.data(), b.data()};
  const tml_dims yd = Dims({2, 7});
  const tml_concat_params bad_axis{0, 2};
  EXPECT_EQ(TML_ERROR_ARG, tml_concat_f32(nullptr, &bad_axis, dims, ptrs, &yd, y.data()));
  const tml_concat_params ok{1, 2};
  const tml_dims bad_yd = Dims({2, 6});
  EXPECT_EQ(TML_ERROR_ARG, tml_concat_f32(nullptr, &ok, dims, ptrs, &bad_yd, y.data()));
  EXPECT_EQ(TML_OK, tml_concat_f32(nullptr, &ok, dims, ptrs, &yd, y.data()));
}

// ---------------------------------------------------------------- Slice

// ONNX Slice on one axis: the list of input indices selected by (start, end, step),
// with the clamping rules of the operator spec.
std::vector<int64_t> OnnxSliceIndices(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  std::vector<int64_t> out;
  for (int64_t i = start; step > 0 ? i < end : i > end; i += step) out.push_back(i);
  return out;
}

struct SliceCase {
  Shape in;
  std::vector<int64_t> starts, ends, steps;  // one per axis
};

class SliceF32Test : public ::testing::TestWithParam<SliceCase> {};

TEST_P(SliceF32Test, MatchesOnnxSemantics) {
  const SliceCase& c = GetParam();
  const int r = static_cast<int>(c.in.size());
  std::vector<std::vector<int64_t>> sel(r);
  Shape ys(r);
  tml_slice_params p{};
  for (int k = 0; k < r; ++k) {
    sel[k] = OnnxSliceIndices(c.in[k], c.starts[k], c.ends[k], c.steps[k]);
    ys[k] = static_cast<int32_t>(sel[k].size());
    // What the compiler passes: the first index actually read, and the step.
    p.start[k] = sel[k].empty() ? 0 : static_cast<int32_t>(sel[k][0]);
    p.step[k] = static_cast<int32_t>(c.steps[k]);
  }
  const auto x = Random(Count(c.in), 81);
  std::vector<double> expected(Count(ys));
  for (int64_t i = 0; i < Count(ys); ++i) {
    const auto yi = Unravel(i, ys);
    std::vector<int64_t> xi(r);
    for (int k = 0; k < r; ++k) xi[k] = sel[k][yi[k]];
    expected[i] = x[Offset(xi, c.in)];
  }
  const tml_dims xd = Dims(c.in), yd = Dims(ys);
  std::vector<float> y(Count(ys) + 1, -99.0f);  // +1: a valid pointer even for empty outputs
  ASSERT_EQ(TML_OK, tml_slice_f32(nullptr, &p, &xd, x.data(), &yd, y.data()))
      << ShapeString(c.in) << " -> " << ShapeString(ys);
  EXPECT_EQ(y.back(), -99.0f) << "wrote past the end";
  y.pop_back();
  EXPECT_TRUE(AllNear(y, expected)) << ShapeString(c.in) << " -> " << ShapeString(ys);
}

constexpr int64_t kMax = INT64_MAX;
constexpr int64_t kMin = INT64_MIN;

INSTANTIATE_TEST_SUITE_P(
    Cases, SliceF32Test,
    ::testing::Values(SliceCase{{10}, {2}, {7}, {1}}, SliceCase{{10}, {1}, {kMax}, {3}},
                      SliceCase{{10}, {-1}, {kMin}, {-1}},  // full reverse
                      SliceCase{{10}, {8}, {1}, {-3}}, SliceCase{{4, 6}, {1, -2}, {3, 0}, {1, -2}},
                      SliceCase{{3, 4, 5}, {0, 3, -1}, {kMax, -5, -6}, {2, -1, -2}},
                      SliceCase{{2, 3, 4, 5}, {0, 0, 1, 4}, {2, 3, 3, 0}, {1, 2, 1, -1}},
                      SliceCase{{2, 2, 3, 2, 3, 4},
                                {1, 0, 2, 0, 0, -1},
                                {2, 2, -4, 2, 3, -5},
                                {1, 1, -1, 1, 2, -1}},
                      SliceCase{{5, 3}, {2, 0}, {2, 3}, {1, 1}}));  // empty output

TEST(SliceF32Test, RejectsReadsOutsideTheInput) {
  std::vector<float> x(10), y(5);
  const tml_dims xd = Dims({10}), yd = Dims({5});
  tml_slice_params p{};
  p.start[0] = 6;
  p.step[0] = 1;  // would read 6..10
  EXPECT_EQ(TML_ERROR_ARG, tml_slice_f32(nullptr, &p, &xd, x.data(), &yd, y.data()));
  p.start[0] = 3;
  p.step[0] = -1;  // would read 3..-1
  EXPECT_EQ(TML_ERROR_ARG, tml_slice_f32(nullptr, &p, &xd, x.data(), &yd, y.data()));
  p.step[0] = 0;
  EXPECT_EQ(TML_ERROR_ARG, tml_slice_f32(nullptr, &p, &xd, x.data(), &yd, y.data()));
}

// ---------------------------------------------------------------- Gather

template <typename Index>
void CheckGather(const Shape& ds, int axis, const Shape& is, const std::vector<Index>& indices,
                 tml_index_type type) {
  const auto data = Random(Count(ds), 91);
  Shape ys(ds.begin(), ds.begin() + axis);
  ys.insert(ys.end(), is.begin(), is.end());
  ys.insert(ys.end(), ds.begin() + axis + 1, ds.end());
  std::vector<double> expected(Count(ys));
  const int ir = static_cast<int>(is.size());
  for (int64_t i = 0; i < Count(ys); ++i) {
    const auto yi = Unravel(i, ys);
    std::vector<int64_t> ii(yi.begin() + axis, yi.begin() + axis + ir);
    int64_t index = indices[Offset(ii, is)];
    if (index < 0) index += ds[axis];
    std::vector<int64_t> di(yi.begin(), yi.begin() + axis);
    di.push_back(index);
    di.insert(di.end(), yi.begin() + axis + ir, yi.end());
    expected[i] = data[Offset(di, ds)];
  }
  const tml_gather_params p{axis, type};
  const tml_dims dd = Dims(ds), id = Dims(is), yd = Dims(ys);
  std::vector<float> y(Count(ys), -99.0f);
  ASSERT_EQ(TML_OK,
            tml_gather_f32(nullptr, &p, &dd, data.data(), &id, indices.data(), &yd, y.data()));
  EXPECT_TRUE(AllNear(y, expected)) << ShapeString(ds) << " axis " << axis;
}

TEST(GatherF32Test, Int64IndicesWithNegativesOnEveryAxis) {
  const Shape ds = {4, 5, 3};
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t n = ds[axis];
    CheckGather<int64_t>(ds, axis, {2, 3}, {0, -1, n - 1, -n, 1, 0}, TML_INDEX_S64);
  }
}

TEST(GatherF32Test, Int32IndicesScalarAndVector) {
  CheckGather<int32_t>({6, 4}, 0, {}, {-2}, TML_INDEX_S32);  // scalar index drops the axis
  CheckGather<int32_t>({6, 4}, 1, {5}, {3, -4, 0, 2, -1}, TML_INDEX_S32);
  CheckGather<int32_t>({10}, 0, {2, 2}, {9, -10, 4, 4}, TML_INDEX_S32);
}

TEST(GatherF32Test, OutOfRangeIndexIsReported) {
  std::vector<float> data(12), y(8);
  const tml_dims dd = Dims({3, 4}), id = Dims({2}), yd = Dims({2, 4});
  const tml_gather_params p32{0, TML_INDEX_S32};
  const int32_t too_big[2] = {0, 3};
  const int32_t too_small[2] = {-4, 0};
  EXPECT_EQ(TML_ERROR_INDEX,
            tml_gather_f32(nullptr, &p32, &dd, data.data(), &id, too_big, &yd, y.data()));
  EXPECT_EQ(TML_ERROR_INDEX,
            tml_gather_f32(nullptr, &p32, &dd, data.data(), &id, too_small, &yd, y.data()));
  const tml_gather_params p64{0, TML_INDEX_S64};
  const int64_t huge[2] = {0, int64_t{1} << 40};
  EXPECT_EQ(TML_ERROR_INDEX,
            tml_gather_f32(nullptr, &p64, &dd, data.data(), &id, huge, &yd, y.data()));
}

// ---------------------------------------------------------------- Copy

TEST(CopyF32Test, CopiesAcrossShapesAndOverlaps) {
  auto x = Random(24, 95);
  std::vector<float> y(24);
  const tml_dims xd = Dims({2, 3, 4}), yd = Dims({6, 4}), bad = Dims({5, 4});
  ASSERT_EQ(TML_OK, tml_copy_f32(nullptr, &xd, x.data(), &yd, y.data()));
  EXPECT_TRUE(AllNear(y, ToDouble(x)));
  ASSERT_EQ(TML_OK, tml_copy_f32(nullptr, &xd, x.data(), &yd, x.data()));  // same buffer
  EXPECT_TRUE(AllNear(x, ToDouble(y)));
  const tml_dims part = Dims({20});
  const std::vector<double> shifted(y.begin(), y.begin() + 20);
  ASSERT_EQ(TML_OK, tml_copy_f32(nullptr, &part, x.data(), &part, x.data() + 4));  // overlap
  EXPECT_TRUE(AllNear(std::vector<float>(x.begin() + 4, x.end()), shifted));
  EXPECT_EQ(TML_ERROR_ARG, tml_copy_f32(nullptr, &xd, x.data(), &bad, y.data()));
}

}  // namespace
}  // namespace tml::test
