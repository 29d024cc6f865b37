// compiler/task/: task detection, the collapse signs and the held-out figures.
#include "compiler/task/task.h"

#include <cmath>

#include <gtest/gtest.h>

#include "compiler/task/collapse.h"
#include "compiler/task/held_out_figure.h"

namespace tml {
namespace {

TEST(TaskTest, DetectedFromShapesAndLabels) {
  TaskShapes lm{{1, 8}, true, {1, 8, 48}, false, {}, false};
  EXPECT_EQ(DetectTask(lm), Task::kLanguageModel);
  TaskShapes clf{{1, 8, 8}, false, {1, 10}, true, {}, false};
  EXPECT_EQ(DetectTask(clf), Task::kClassifier);
  TaskShapes ae{{1, 640}, false, {1, 640}, false, {}, false};
  EXPECT_EQ(DetectTask(ae), Task::kAnomaly);
  TaskShapes reg{{1, 8, 4}, false, {1, 1}, false, {}, false};
  EXPECT_EQ(DetectTask(reg), Task::kRegression);
  // Per-position logits of float inputs with next-token labels [N, T].
  TaskShapes seq{{1, 8, 4}, false, {1, 8, 5}, true, {8}, false};
  EXPECT_EQ(DetectTask(seq), Task::kLanguageModel);
  // --anomaly and --task win.
  clf.anomaly = true;
  EXPECT_EQ(DetectTask(clf), Task::kAnomaly);
  EXPECT_EQ(DetectTask(ae, Task::kRegression), Task::kRegression);
}

TEST(TaskTest, ParseNamesTheFlag) {
  EXPECT_EQ(*ParseTask("lm"), Task::kLanguageModel);
  EXPECT_EQ(*ParseTask("classifier"), Task::kClassifier);
  auto bad = ParseTask("segmentation");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--task segmentation"), std::string::npos);
}

TEST(CollapseTest, FlatOutputsCollapseVaryingOnesDoNot) {
  // 4 samples of 2 values: the original varies, the collapsed copy does not.
  const std::vector<float> original = {0, 1, 2, 3, 4, 5, 6, 7};
  const std::vector<float> flat = {3, 4, 3, 4, 3.001f, 4, 3, 4};
  const CollapseCheck c = CheckCollapse(flat, original, 4);
  EXPECT_TRUE(c.collapsed);
  EXPECT_LT(c.spread, kCollapseSpreadFraction * c.original_spread);
  EXPECT_NE(c.Describe().find("output spread across samples"), std::string::npos) << c.Describe();
  const std::vector<float> close = {0.1f, 1, 2, 3.2f, 4, 5, 5.9f, 7};
  EXPECT_FALSE(CheckCollapse(close, original, 4).collapsed);
  EXPECT_TRUE(CheckCollapse(close, original, 4, true, "accuracy 0.1 <= 0.1").collapsed);
  EXPECT_DOUBLE_EQ(OutputSpread(original, 1), 0.0);
}

TEST(CollapseTest, TrivialPredictors) {
  EXPECT_DOUBLE_EQ(MajorityClassAccuracy({1, 1, 2, 3}), 0.5);
  // Two equally frequent tokens: a unigram predictor has perplexity 2.
  EXPECT_NEAR(UnigramPerplexity({4, 5, 4, 5}), 2.0, 1e-12);
  // Out of sample, add-one smoothed over 4 symbols: p(4) = 3/6, p(5) = 1/6.
  EXPECT_NEAR(HeldOutUnigramPerplexity({4, 4}, {4, 5}, 4), std::sqrt(12.0), 1e-12);
  const std::vector<float> reference = {0, 10, 2, 12};  // 2 samples of 2
  EXPECT_TRUE(WorseThanMeanPredictor({1, 11, 1, 11}, reference, 2));   // the mean itself
  EXPECT_FALSE(WorseThanMeanPredictor({0, 10, 2, 11}, reference, 2));
}

TEST(HeldOutFigureTest, LanguageModelPerplexityFromTheInputsNextTokens) {
  // Two tokens, logits that put probability p on the right next token.
  Tensor ids;
  ids.dtype = DType::kInt64;
  ids.shape = {1, 3};
  ids.i64 = {0, 1, 0};
  auto logits = [](float margin) {
    Tensor t;
    t.shape = {1, 3, 2};
    // position 0 predicts 1, position 1 predicts 0 (position 2 has no next token).
    t.f32 = {0, margin, margin, 0, 0, 0};
    return t;
  };
  const Tensor good = logits(2.0f), bad = logits(-2.0f);
  const HeldOutFigure f = ComputeHeldOutFigure(Task::kLanguageModel, {&ids}, {&bad}, {&good}, {});
  EXPECT_EQ(f.name, "perplexity");
  EXPECT_NEAR(f.original, 1.0 + std::exp(-2.0), 1e-6);
  EXPECT_NEAR(f.value, 1.0 + std::exp(2.0), 1e-5);
  EXPECT_FALSE(f.higher_is_better);
  EXPECT_TRUE(f.worse_than_trivial);  // unigram perplexity of {1, 0} is 2
  EXPECT_NE(f.text.find("perplexity"), std::string::npos);
}

TEST(HeldOutFigureTest, WordsFollowTheTask) {
  Tensor x, a, b;
  x.shape = a.shape = b.shape = {1, 2};
  x.f32 = {1, 2};
  a.f32 = {1, 2};
  b.f32 = {1.1f, 2};
  EXPECT_EQ(ComputeHeldOutFigure(Task::kAnomaly, {&x}, {&b}, {&a}, {}).name, "reconstruction score");
  const HeldOutFigure r = ComputeHeldOutFigure(Task::kRegression, {&x}, {&b}, {&a}, {});
  EXPECT_NE(r.text.find("SNR"), std::string::npos) << r.text;
  const HeldOutFigure c = ComputeHeldOutFigure(Task::kClassifier, {&x}, {&b}, {&a}, {1});
  EXPECT_NE(c.text.find("top-1 agreement 1.0000, accuracy 1.0000"), std::string::npos) << c.text;
}

}  // namespace
}  // namespace tml
