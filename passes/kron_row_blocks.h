// Per-gate Kronecker operators (row_blocks, e.g. one Kronecker sum per LSTM
// gate from `--kronecker auto`) as one stacked Kronecker sum, so that the int8
// path (QuantizeKron, tml_kron_matvec_s8) runs them without a kernel of its own:
// block g (rows g·m .. (g+1)·m) = Σ_k A_gk ⊗ B_gk with A_gk [m1, n1], B_gk [m2, n2]
// is Σ_k (e_g ⊗ A_gk) ⊗ B_gk, e_g the g-th unit column of length G, i.e. A_gk
// placed in rows g·m1 .. (g+1)·m1 of a zero [G·m1, n1] factor. The stacked sum
// has rank Σ_g rank_g; the doping overlays of the blocks become one CSR overlay.
// Costs: the A factors are stored G times taller (they are the small factors)
// and the A·T products run over the zero rows too.
#ifndef TML_PASSES_KRON_ROW_BLOCKS_H_
#define TML_PASSES_KRON_ROW_BLOCKS_H_

#include "compiler/ir/weight_operator.h"

namespace tml {

// The stacked form of `op` when it has row blocks that are all Kronecker sums
// of one factor shape (doping allowed); false otherwise (`*out` untouched).
bool StackKronRowBlocks(const WeightOperator& op, WeightOperator* out);

}  // namespace tml

#endif  // TML_PASSES_KRON_ROW_BLOCKS_H_
