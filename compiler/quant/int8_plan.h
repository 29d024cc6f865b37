// The int8 facts the IR carries (DESIGN.md §5): what the `quantize` pass
// (passes/quantize.h) decides and the code generator reads.
//
// - AffineQuant: asymmetric int8, real = scale·(q − zero_point), q in
//   [-128, 127]; ChooseAffineInt8 turns a calibrated range into one (widened
//   to contain 0, so 0 is exact: padding and ReLU stay exact).
// - Int8Plan: the activation formats of one node that runs int8 — its input,
//   and for fully connected nodes its output (recurrent nodes keep h int8 at
//   2^-7 and c int16 Q4.11, so only X is calibrated). The pass stores it on
//   the node as the float attribute kInt8Attr {in_scale, in_zero_point,
//   out_scale, out_zero_point}, which the IR printer shows
//   (--print-ir-after quantize); ReadInt8Plan / WriteInt8Plan are the typed
//   view of it.
// - Int8Unsupported: whether a node can run int8 at all (the pass rejects a
//   graph with one that cannot, naming the node; codegen relies on it).
//
// The weights themselves are quantized where they are emitted, from the float
// weights and operators of the IR (codegen/int8_weights.h), since their layout
// is the kernels'.
#ifndef TML_COMPILER_QUANT_INT8_PLAN_H_
#define TML_COMPILER_QUANT_INT8_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "compiler/ir/graph.h"
#include "compiler/ir/weight_operator.h"

namespace tml {

struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

// Asymmetric int8: real = scale·(q − zero_point), q in [-128, 127].
struct AffineQuant {
  double scale = 1.0;
  int32_t zero_point = 0;
  int8_t Quantize(float v) const;
  float Dequantize(int8_t q) const { return static_cast<float>(scale * (q - zero_point)); }
};

// The affine int8 parameters of a range, widened to contain 0 (an empty range
// gets scale 1/128 around 0).
AffineQuant ChooseAffineInt8(Range range);

// Node attribute of the int8 plan: floats {in_scale, in_zero_point,
// out_scale, out_zero_point} (recurrent nodes: out_* unused, 1 and 0).
inline constexpr const char* kInt8Attr = "tml_q8";

struct Int8Plan {
  AffineQuant input;
  AffineQuant output;
};

// The plan of `node`, or nullopt when it has none (it runs in float) or the
// attribute is malformed. Scales come back as the float the attribute holds.
std::optional<Int8Plan> ReadInt8Plan(const Node& node);
void WriteInt8Plan(const Int8Plan& plan, Node* node);

// Operator forms the int8 kernels take: a Kronecker sum (terms, optional
// sparse overlay, no row blocks) ...
bool IsInt8KronSum(const WeightOperator& op);
// ... or a stack of per-gate row blocks, each such a sum over all columns.
bool QuantizableRowBlocks(const WeightOperator& op);

// Whether `node` runs int8 under --quantize int8: "" when it does or stays float
// (no weights), otherwise why it cannot.
std::string Int8Unsupported(const Graph& graph, const Node& node);

}  // namespace tml

#endif  // TML_COMPILER_QUANT_INT8_PLAN_H_
