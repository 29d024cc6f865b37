// Graph verifier: checks the invariants every stage relies on and reports all
// violations at once, each naming its node. The pass manager runs it after
// every pass; the importer's result must pass it too.
//
// Invariants: tensor ids in range; every non-constant input is produced by an
// earlier node or is a graph input (topological order); each tensor has at
// most one producer; constants carry exactly num_elements() values of their
// dtype; shapes are static and positive (a tensor nothing refers to any more,
// left over from import-time folding, may be empty); graph outputs are produced.
#ifndef TML_COMPILER_IR_VERIFIER_H_
#define TML_COMPILER_IR_VERIFIER_H_

#include "compiler/ir/graph.h"
#include "compiler/status.h"

namespace tml {

// Ok, or an Internal status listing every violation ("; "-separated).
Status VerifyGraph(const Graph& graph);

}  // namespace tml

#endif  // TML_COMPILER_IR_VERIFIER_H_
