// The specialized bodies of tml_kron_matvec_s8 that a build links (TML_S8_KRON_CASES of
// tml_config.h; the compiler writes the cases its operators use): the library's build (all
// cases) and a build with none (tml_kron_general_s8, tests/unit/runtime/CMakeLists.txt)
// give the same accumulators bit for bit on shapes that reach every case of
// tml_kron_s8_cases(), with and without a bias; and the shapes do reach all of them.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "tml_kernels_s8.h"

extern "C" tml_status tml_kron_matvec_s8_general(const tml_context *ctx,
                                                 const tml_kron_s8_params *params,
                                                 const int8_t *a, const int8_t *b,
                                                 const int8_t *input, const int32_t *bias,
                                                 int32_t *acc);

namespace tml::test {
namespace {

TEST(KronCasesS8Test, GeneralBodiesEqualEverySpecializedCase) {
  // m1, n1, m2, n2, rank, t_shift: stage-1 widths 4 and 8 and others, stage-2 widths 1, 2,
  // 4, 8 and others in both orders, odd counts, rank > 1.
  const tml_kron_s8_params shapes[] = {
      {4, 64, 128, 2, 2, 8}, {16, 2, 16, 4, 1, 1}, {16, 8, 16, 8, 1, 1}, {16, 8, 32, 16, 1, 6},
      {4, 32, 64, 2, 1, 4},  {8, 2, 16, 8, 2, 3},  {16, 4, 8, 8, 1, 2},  {6, 16, 8, 16, 1, 5},
      {8, 6, 4, 6, 1, 2},    {4, 16, 8, 4, 1, 3},  {3, 9, 7, 2, 1, 2},   {2, 4, 1, 16, 1, 0},
      {8, 4, 2, 16, 1, 3},   {6, 2, 10, 1, 1, 0},  {4, 10, 6, 10, 2, 5}, {10, 2, 2, 4, 1, 1},
      {2, 16, 1, 2, 1, 1},   {2, 8, 1, 4, 1, 2}};
  std::mt19937 rng(77);
  std::uniform_int_distribution<int> d8(-127, 127), x8(-128, 127);
  int32_t reached = 0;
  for (const tml_kron_s8_params& p : shapes) {
    for (int with_bias = 0; with_bias < 2; ++with_bias) {
      reached |= tml_kron_s8_cases(&p, with_bias);
      std::vector<int8_t> a(p.rank * p.m1 * p.n1), b(p.rank * p.m2 * p.n2), x(p.n1 * p.n2);
      for (auto& v : a) v = int8_t(d8(rng));
      for (auto& v : b) v = int8_t(d8(rng));
      for (auto& v : x) v = int8_t(x8(rng));
      std::vector<int8_t> pa(p.rank * tml_pack_kron_factor_s8_size(p.m1, p.n1));
      std::vector<int8_t> pb(p.rank * tml_pack_kron_factor_s8_size(p.m2, p.n2));
      ASSERT_EQ(tml_pack_kron_s8(&p, a.data(), b.data(), pa.data(), pb.data()), TML_OK);
      const int rows = p.m1 * p.m2;
      std::vector<int32_t> bias(rows), fast(rows, 0x5a5a5a5a), general(rows, -1);
      for (auto& v : bias) v = int32_t(rng() % 40001) - 20000;
      std::vector<int8_t> scratch(tml_kron_matvec_s8_get_buffer_size(&p));
      tml_context ctx{scratch.data(), int32_t(scratch.size())};
      const int32_t* bp = with_bias ? bias.data() : nullptr;
      ASSERT_EQ(tml_kron_matvec_s8(&ctx, &p, pa.data(), pb.data(), x.data(), bp, fast.data()),
                TML_OK);
      ASSERT_EQ(tml_kron_matvec_s8_general(&ctx, &p, pa.data(), pb.data(), x.data(), bp,
                                           general.data()),
                TML_OK);
      EXPECT_EQ(fast, general) << p.m1 << "x" << p.n1 << " (x) " << p.m2 << "x" << p.n2
                               << " rank " << p.rank << (with_bias ? " with bias" : "");
    }
  }
  EXPECT_EQ(reached, 0x1FFF) << "cases not reached by the shapes above: 0x" << std::hex
                             << (0x1FFF & ~reached);
}

}  // namespace
}  // namespace tml::test
