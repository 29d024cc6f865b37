#include "emulator/inference_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "tests/unit/emulator/firmware_fixture.h"

namespace tml::emu {
namespace {

using testing::BuildSource;
using ::testing::HasSubstr;

constexpr char kHarness[] = R"(
  #include <stdint.h>
  #include "tml_marker.h"
  int8_t tml_in[8];
  int32_t tml_out[2];
  __attribute__((noinline)) void dense(const int8_t* in, int32_t* out) {
    for (int o = 0; o < 2; ++o) {
      int32_t acc = 0;
      for (int i = 0; i < 8; ++i) acc += in[i] * (o == 0 ? 1 : i);
      out[o] = acc;
    }
  }
  __attribute__((noinline)) void relu(int32_t* x) {
    for (int i = 0; i < 2; ++i) x[i] = x[i] < 0 ? 0 : x[i];
  }
  void model_invoke(const int8_t* in, int32_t* out) {
    TML_MARK(0); dense(in, out);
    TML_MARK(1); relu(out);
    TML_MARK(TML_MARK_NONE);
  }
  int main(void) {
    for (;;) {
      __asm volatile("bkpt #1" ::: "memory");
      model_invoke(tml_in, tml_out);
    }
  }
)";

std::vector<int32_t> Words(const std::vector<uint8_t>& bytes) {
  std::vector<int32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), words.size() * 4);
  return words;
}

TEST(InferenceSessionTest, RunsOneInferencePerCall) {
  auto session = InferenceSession::Start(BuildSource("main.c", kHarness), RunnerOptions{});
  ASSERT_TRUE(session.ok()) << session.status().message();

  auto first = (*session)->Run({1, 2, 3, 4, 5, 6, 7, 8});
  ASSERT_TRUE(first.ok()) << first.status().message();
  // out[0] = sum(in) = 36, out[1] = sum(in[i] * i) = 168.
  EXPECT_EQ(Words(first->output), (std::vector<int32_t>{36, 168}));
  auto second = (*session)->Run({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});  // all -1
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(Words(second->output), (std::vector<int32_t>{0, 0}));  // relu

  // Per inference: the markers split the inference and add up to it.
  for (const InferenceResult* r : {&*first, &*second}) {
    uint64_t sum = 0;
    for (const auto& [id, a] : r->markers) sum += a.cycles;
    EXPECT_EQ(sum, r->cycles);
    ASSERT_EQ(r->markers.count(0), 1u);
    ASSERT_EQ(r->markers.count(1), 1u);
    EXPECT_GT(r->markers.at(0).cycles, r->markers.at(1).cycles);  // dense > relu
    EXPECT_GE(r->markers.at(0).cycles + r->markers.at(1).cycles, r->cycles * 8 / 10);
  }
  EXPECT_GT((*session)->stack_high_water(), 0u);
}

TEST(InferenceSessionTest, MissingSymbolAndOversizedInput) {
  const std::string elf = BuildSource("main.c", kHarness);
  InferenceSymbols symbols;
  symbols.output = "model_output";
  auto missing = InferenceSession::Start(elf, RunnerOptions{}, symbols);
  EXPECT_THAT(missing.status().message(), HasSubstr("no symbol 'model_output'"));

  auto session = InferenceSession::Start(elf, RunnerOptions{});
  ASSERT_TRUE(session.ok()) << session.status().message();
  auto too_big = (*session)->Run(std::vector<uint8_t>(9, 0));
  EXPECT_THAT(too_big.status().message(), HasSubstr("'tml_in' holds 8 bytes"));
}

TEST(InferenceSessionTest, FirmwareThatExitsInsteadOfLooping) {
  auto session = InferenceSession::Start(BuildSource("main.c", R"(
    char tml_in[4], tml_out[4];
    int main(void) { return tml_in[0] + tml_out[0] + 4; }
  )"),
                                         RunnerOptions{});
  ASSERT_FALSE(session.ok());
  EXPECT_THAT(session.status().message(), HasSubstr("stopped at bkpt #0"));
}

}  // namespace
}  // namespace tml::emu
