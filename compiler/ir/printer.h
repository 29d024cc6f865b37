// Deterministic text form of a Graph, one node per line, for --print-ir,
// golden tests and bug reports:
//   %Y:[8,1,1,128] %Y_h:[1,1,128] = LSTM 'lstm' (%input, @W[1,512,8], ...) {direction="forward", hidden_size=128}
// '%' marks computed tensors, '@' constants; attributes are sorted by name.
#ifndef TML_COMPILER_IR_PRINTER_H_
#define TML_COMPILER_IR_PRINTER_H_

#include <string>

#include "compiler/ir/graph.h"

namespace tml {

std::string PrintGraph(const Graph& graph);

}  // namespace tml

#endif  // TML_COMPILER_IR_PRINTER_H_
