// The quantize pass: calibration ranges, the affine int8 choice, and the pass in the
// pipeline (the plan it records on each node, what --print-ir-after shows, its errors).
// The int8 weights themselves are tested in tests/unit/codegen/int8_weights_test.cc.
#include "passes/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <sstream>
#include <vector>

#include "compiler/onnx/importer.h"
#include "passes/pipeline.h"
#include "tests/unit/compiler/onnx_builder.h"

namespace tml {
namespace {

TEST(QuantizeTest, CalibrationRangeMinMaxAndPercentile) {
  std::vector<float> v(10000);
  for (size_t k = 0; k < v.size(); ++k) v[k] = float(k % 100) / 100.0f - 0.5f;
  v[17] = 40.0f;  // one outlier
  const Range mm = CalibrationRange(v, RangeMethod::kMinMax);
  EXPECT_FLOAT_EQ(mm.min, -0.5f);
  EXPECT_FLOAT_EQ(mm.max, 40.0f);
  const Range pc = CalibrationRange(v, RangeMethod::kPercentile, 99.9);
  EXPECT_FLOAT_EQ(pc.min, -0.5f);
  EXPECT_LT(pc.max, 1.0f);
}

TEST(QuantizeTest, ParseCalibMethod) {
  auto mm = ParseCalibMethod("minmax");
  ASSERT_TRUE(mm.ok());
  EXPECT_EQ(mm->method, RangeMethod::kMinMax);
  auto p = ParseCalibMethod("percentile");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->method, RangeMethod::kPercentile);
  EXPECT_DOUBLE_EQ(p->percentile, 99.99);
  auto p9 = ParseCalibMethod("percentile:99.5");
  ASSERT_TRUE(p9.ok());
  EXPECT_EQ(p9->method, RangeMethod::kPercentile);
  EXPECT_DOUBLE_EQ(p9->percentile, 99.5);
  for (const char* bad : {"max", "percentile:", "percentile:0", "percentile:101", "percentile:9x",
                          "percentile99"}) {
    EXPECT_FALSE(ParseCalibMethod(bad).ok()) << bad;
  }
}

TEST(QuantizeTest, AffineInt8KeepsZeroExact) {
  for (Range r : {Range{-1.0f, 3.0f}, Range{0.5f, 2.0f}, Range{-4.0f, -1.0f}, Range{0, 0}}) {
    const AffineQuant q = ChooseAffineInt8(r);
    EXPECT_EQ(q.Dequantize(q.Quantize(0.0f)), 0.0f);
    EXPECT_NEAR(q.Dequantize(q.Quantize(r.max)), r.max, q.scale);
    EXPECT_NEAR(q.Dequantize(q.Quantize(r.min)), r.min, q.scale);
  }
}

// A Gemm "fc" y = x·B + C on [1, 4] inputs, in ONNX form, imported.
Graph TinyGemm(int64_t trans_a = 0) {
  testing::OnnxBuilder b;
  // transA = 1 reads x as Aᵀ: x is [K, M] = [4, 1].
  b.Input("x", trans_a != 0 ? std::vector<int64_t>{4, 1} : std::vector<int64_t>{1, 4})
      .Output("y", {1, 3})
      .Ramp("B", {4, 3})
      .Ramp("C", {3});
  auto& n = b.Node("Gemm", {"x", "B", "C"}, {"y"}, "fc");
  if (trans_a != 0) testing::OnnxBuilder::IntAttr(n, "transA", trans_a);
  StatusOr<ImportResult> r = ImportOnnxBytes(b.Bytes(), "tiny.onnx");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r->graph) : Graph();
}

Tensor Samples(int64_t n, int64_t per) {
  Tensor t;
  t.name = "calib";
  t.shape = {n, per};
  for (int64_t i = 0; i < n * per; ++i) t.f32.push_back(static_cast<float>((i * 7 % 13) - 4) / 4.0f);
  return t;
}

TEST(QuantizePassTest, RecordsThePlanOfEachNodeAndSummarizesIt) {
  Graph g = TinyGemm();
  QuantizeOptions o;
  o.int8 = true;
  o.calib = {Samples(8, 4)};
  QuantizePass pass(o);
  StatusOr<bool> changed = pass.Run(g);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_TRUE(*changed);
  const std::optional<Int8Plan> plan = ReadInt8Plan(g.nodes()[0]);
  ASSERT_TRUE(plan.has_value());
  // The inputs span [-1, 2]: scale 3/255, and 0 is exact.
  EXPECT_NEAR(plan->input.scale, 3.0 / 255.0, 1e-7);
  EXPECT_EQ(plan->input.Dequantize(plan->input.Quantize(0.0f)), 0.0f);
  EXPECT_GT(plan->output.scale, 0.0);
  EXPECT_NE(pass.Summary().find("quantize int8: 8 calibration samples (min/max)"), std::string::npos)
      << pass.Summary();
  EXPECT_NE(pass.Summary().find("'fc'"), std::string::npos) << pass.Summary();
}

// A large calibration set is cut to max_samples evenly spaced samples (the
// first and the last included), said in the summary; the ranges are those of
// exactly those samples.
TEST(QuantizePassTest, LargeCalibrationSetsUseEvenlySpacedSamples) {
  Tensor all = Samples(9, 4);
  // Sample 4 (not among 0, 8 when only 2 are kept) holds the extreme values.
  for (int64_t k = 0; k < 4; ++k) all.f32[static_cast<size_t>(4 * 4 + k)] = 50.0f;
  QuantizeOptions o;
  o.int8 = true;
  o.calib = {all};
  o.max_samples = 2;
  Graph g = TinyGemm();
  QuantizePass pass(o);
  ASSERT_TRUE(pass.Run(g).ok());
  EXPECT_NE(pass.Summary().find("quantize int8: 2 calibration samples (evenly spaced, of 9) (min/max)"),
            std::string::npos)
      << pass.Summary();
  Tensor ends = Samples(2, 4);
  ends.f32.assign(all.f32.begin(), all.f32.begin() + 4);
  ends.f32.insert(ends.f32.end(), all.f32.begin() + 32, all.f32.end());
  QuantizeOptions direct = o;
  direct.calib = {ends};
  Graph h = TinyGemm();
  QuantizePass expected(direct);
  ASSERT_TRUE(expected.Run(h).ok());
  EXPECT_EQ(ReadInt8Plan(g.nodes()[0])->input.scale, ReadInt8Plan(h.nodes()[0])->input.scale);
  // With every sample kept, the outlier widens the range.
  o.max_samples = 9;
  Graph full = TinyGemm();
  ASSERT_TRUE(QuantizePass(o).Run(full).ok());
  EXPECT_GT(ReadInt8Plan(full.nodes()[0])->input.scale, ReadInt8Plan(g.nodes()[0])->input.scale);
}

TEST(QuantizePassTest, RunsInThePipelineAndPrintIrAfterShowsThePlan) {
  Graph g = TinyGemm();
  PipelineOptions po;
  po.quantize.int8 = true;
  po.quantize.calib = {Samples(8, 4)};
  std::ostringstream ir;
  PassManagerOptions pmo;
  pmo.print_ir_after = "quantize";
  pmo.ir_out = &ir;
  PassManager pm(pmo);
  ASSERT_TRUE(BuildPipeline(po, {}, &pm).ok());
  ASSERT_EQ(pm.size(), 1u);
  ASSERT_TRUE(pm.Run(g).ok());
  EXPECT_NE(ir.str().find("// IR after quantize"), std::string::npos) << ir.str();
  EXPECT_NE(ir.str().find(std::string(kInt8Attr) + "="), std::string::npos) << ir.str();
}

TEST(QuantizePassTest, OffWithoutInt8AndErrorsNameTheNode) {
  Graph g = TinyGemm();
  QuantizeOptions off;
  StatusOr<bool> unchanged = QuantizePass(off).Run(g);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_FALSE(*unchanged);
  EXPECT_FALSE(ReadInt8Plan(g.nodes()[0]).has_value());

  QuantizeOptions no_data;
  no_data.int8 = true;
  StatusOr<bool> missing = QuantizePass(no_data).Run(g);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--calib"), std::string::npos);

  Graph t = TinyGemm(/*trans_a=*/1);
  QuantizeOptions o;
  o.int8 = true;
  o.calib = {Samples(8, 4)};
  StatusOr<bool> bad = QuantizePass(o).Run(t);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("node 'fc' (Gemm"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("transA"), std::string::npos);
}

}  // namespace
}  // namespace tml
