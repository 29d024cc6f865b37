// PassManager hooks (verify after each pass, print-ir-after, stop-after) and the
// registry / pipeline.
#include "passes/pass_manager.h"

#include <gtest/gtest.h>

#include <sstream>

#include "passes/pipeline.h"

namespace tml {
namespace {

Graph TinyGraph() {
  Graph g;
  Tensor x;
  x.name = "x";
  x.shape = {1, 4};
  x.role = TensorRole::kInput;
  const TensorId xi = g.AddTensor(x);
  Tensor y;
  y.name = "y";
  y.shape = {1, 4};
  y.role = TensorRole::kOutput;
  const TensorId yi = g.AddTensor(y);
  Node n;
  n.op = OpKind::kRelu;
  n.name = "relu";
  n.onnx_op_type = "Relu";
  n.inputs = {xi};
  n.outputs = {yi};
  g.AddNode(n);
  g.inputs() = {xi};
  g.outputs() = {yi};
  return g;
}

class CountingPass : public Pass {
 public:
  explicit CountingPass(std::string name, int changes = 0) : name_(std::move(name)), changes_(changes) {}
  std::string_view Name() const override { return name_; }
  StatusOr<bool> Run(Graph&) override {
    ++runs;
    return changes_-- > 0;
  }
  int runs = 0;

 private:
  std::string name_;
  int changes_;
};

// Breaks the graph: the output is no longer produced.
class BreakingPass : public Pass {
 public:
  std::string_view Name() const override { return "breaker"; }
  StatusOr<bool> Run(Graph& g) override {
    g.nodes().clear();
    return true;
  }
};

TEST(PassManagerTest, VerifiesAfterEachPassAndNamesTheCulprit) {
  Graph g = TinyGraph();
  PassManager pm;
  pm.Add(std::make_unique<CountingPass>("first"));
  pm.Add(std::make_unique<BreakingPass>());
  const Status s = pm.Run(g);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("after pass 'breaker' (pass #2)"), std::string::npos) << s.message();
}

TEST(PassManagerTest, StopAfterAndPrintIrAfter) {
  Graph g = TinyGraph();
  std::ostringstream ir;
  PassManagerOptions o;
  o.stop_after = 1;
  o.print_ir_after = "all";
  o.ir_out = &ir;
  PassManager pm(o);
  auto first = std::make_unique<CountingPass>("first", 1);
  CountingPass* first_ptr = first.get();
  pm.Add(std::move(first));
  pm.Add(std::make_unique<BreakingPass>());
  ASSERT_TRUE(pm.Run(g).ok());
  EXPECT_EQ(first_ptr->runs, 1);
  ASSERT_EQ(pm.records().size(), 1u);
  EXPECT_TRUE(pm.records()[0].changed);
  EXPECT_NE(ir.str().find("// IR after first (pass #1, changed)"), std::string::npos) << ir.str();
  EXPECT_NE(ir.str().find("Relu 'relu'"), std::string::npos) << ir.str();
}

TEST(PassManagerTest, FixedPointRerunsWhileChanged) {
  Graph g = TinyGraph();
  PassManager pm;
  auto pass = std::make_unique<CountingPass>("fp", 2);
  CountingPass* p = pass.get();
  pm.Add(std::move(pass), /*fixed_point=*/true);
  ASSERT_TRUE(pm.Run(g).ok());
  EXPECT_EQ(p->runs, 3);
  EXPECT_EQ(pm.records()[0].iterations, 3);
  EXPECT_EQ(pm.Find("fp"), p);
  EXPECT_EQ(pm.Find("nope"), nullptr);
}

TEST(PipelineTest, RegistryAndDefaultPipeline) {
  const std::vector<std::string> names = RegisteredPassNames();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"dope", "finetune", "kron-factorize", "quantize"}));
  PipelineOptions options;
  StatusOr<std::unique_ptr<Pass>> unknown = CreatePass("no-such-pass", options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("kron-factorize"), std::string::npos);

  PassManager off;
  ASSERT_TRUE(BuildPipeline(options, {}, &off).ok());
  EXPECT_EQ(off.size(), 0u);  // --kronecker off: nothing to run
  options.kron.mode = KronMode::kAuto;
  PassManager on;
  ASSERT_TRUE(BuildPipeline(options, {}, &on).ok());
  ASSERT_EQ(on.size(), 1u);
  EXPECT_NE(on.Find("kron-factorize"), nullptr);
  options.dope.density = 0.01;
  options.finetune.epochs = 3;
  PassManager all;
  ASSERT_TRUE(BuildPipeline(options, {}, &all).ok());
  ASSERT_EQ(all.size(), 3u);  // kron-factorize, dope, finetune
  EXPECT_NE(all.Find("dope"), nullptr);
  EXPECT_NE(all.Find("finetune"), nullptr);
  // --quantize int8: the quantize pass runs last, after fine-tuning.
  options.quantize.int8 = true;
  PassManager quantized;
  ASSERT_TRUE(BuildPipeline(options, {}, &quantized).ok());
  ASSERT_EQ(quantized.size(), 4u);
  EXPECT_NE(quantized.Find("quantize"), nullptr);
  options.quantize.int8 = false;
  options.dope.density = 0;
  options.finetune.epochs = 0;
  PassManager only;
  ASSERT_TRUE(BuildPipeline(options, {"kron-factorize"}, &only).ok());
  EXPECT_EQ(only.size(), 1u);
}

}  // namespace
}  // namespace tml
