// PassManager: runs passes in order with the hooks every pass gets for free
// (MLIR/Glow style):
// - VerifyGraph() after every pass (on by default); a violation stops the run
//   with an Internal status naming the pass that broke the invariant;
// - --print-ir-after=<pass|all>: the IR text (compiler/ir/printer.h) after the
//   named pass, or after every pass, written to `ir_out`;
// - --stop-after=N: run only the first N passes (bisection); 0 runs none;
// - the observer (compiler/observer.h) hears PassStarted before each pass and
//   PassFinished with its Summary() right after it, before the next one runs;
// - per-pass wall time and the "changed" flag, kept in records() for reports.
//
// A pass entry may be marked fixed-point: it is re-run while it reports a
// change (at most max_iterations times).
#ifndef TML_PASSES_PASS_MANAGER_H_
#define TML_PASSES_PASS_MANAGER_H_

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "passes/pass.h"

namespace tml {

struct PassManagerOptions {
  bool verify_each = true;
  std::string print_ir_after;  // "" (none), "all", or a pass name
  int stop_after = -1;         // < 0: run every pass; N >= 0: run the first N
  std::ostream* ir_out = nullptr;  // where --print-ir-after writes (nullptr: std::cerr)
  // Told when each pass starts and ends (with the pass's Summary()); passes
  // report through it while they run. nullptr: NullObserver().
  Observer* observer = nullptr;
};

struct PassRunRecord {
  std::string name;
  bool changed = false;
  int iterations = 0;
  double seconds = 0.0;
};

class PassManager {
 public:
  explicit PassManager(PassManagerOptions options = {}) : options_(std::move(options)) {}

  // Appends a pass; fixed_point re-runs it while it changes the graph.
  void Add(std::unique_ptr<Pass> pass, bool fixed_point = false, int max_iterations = 8);

  // Runs the passes in order (honouring stop_after), verifying after each.
  // Returns the first failure, prefixed with nothing: passes name themselves.
  Status Run(Graph& graph);

  const std::vector<PassRunRecord>& records() const { return records_; }
  // The pass with that name (the first one), or nullptr, to read its results.
  Pass* Find(std::string_view name) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::unique_ptr<Pass> pass;
    bool fixed_point = false;
    int max_iterations = 1;
  };
  PassManagerOptions options_;
  std::vector<Entry> entries_;
  std::vector<PassRunRecord> records_;
};

}  // namespace tml

#endif  // TML_PASSES_PASS_MANAGER_H_
