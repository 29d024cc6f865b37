// InferenceSession: the compiler's --verify protocol on top of M4Runner.
//
// The firmware's main is a loop around one BKPT:
//     int main(void) {
//       for (;;) { __asm volatile("bkpt #1" ::: "memory"); model_invoke(tml_in, tml_out); }
//     }
// Start() loads the ELF once and runs reset + start-up code to the first
// `bkpt #1`. Each Run(input) then writes the input symbol, resumes, runs one
// inference up to the next `bkpt #1` and reads the output symbol back, so
// the instructions and cycles of a result are exactly one inference (the
// loop's branch, the call and the kernel). Marker attribution (TML_MARK) is
// reset before each inference, so InferenceResult::markers are per
// inference too.
//
//   TML_ASSIGN_OR_RETURN(auto session, InferenceSession::Start(elf_path, options));
//   for (const auto& input : inputs) {
//     TML_ASSIGN_OR_RETURN(InferenceResult r, session->Run(input));
//     compare(r.output, expected) ...; r.cycles / profile.clock_mhz ...
//   }
#ifndef TML_EMULATOR_INFERENCE_SESSION_H_
#define TML_EMULATOR_INFERENCE_SESSION_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/status.h"
#include "emulator/m4_runner.h"

namespace tml::emu {

struct InferenceSymbols {
  std::string input = "tml_in";
  std::string output = "tml_out";
  uint32_t breakpoint = 1;  // the BKPT immediate that separates inferences
};

struct InferenceResult {
  std::vector<uint8_t> output;  // the whole output symbol
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  std::map<uint32_t, Attribution> markers;  // TML_MARK id -> cost in this inference
};

class InferenceSession {
 public:
  // Loads `elf_path` and runs it to the first BKPT #symbols.breakpoint.
  // Fails when either symbol is missing or the firmware stops elsewhere.
  static StatusOr<std::unique_ptr<InferenceSession>> Start(
      const std::string& elf_path, const RunnerOptions& options,
      const InferenceSymbols& symbols = InferenceSymbols{});

  // One inference. `input` must not be larger than the input symbol (a
  // shorter input fills its first bytes).
  StatusOr<InferenceResult> Run(const std::vector<uint8_t>& input);

  M4Runner& runner() { return *runner_; }
  uint32_t stack_high_water() const { return runner_->StackHighWater(); }

 private:
  InferenceSession(std::unique_ptr<M4Runner> runner, InferenceSymbols symbols)
      : runner_(std::move(runner)), symbols_(std::move(symbols)) {}

  std::unique_ptr<M4Runner> runner_;
  InferenceSymbols symbols_;
};

}  // namespace tml::emu

#endif  // TML_EMULATOR_INFERENCE_SESSION_H_
