#include "emulator/inference_session.h"

namespace tml::emu {
namespace {

Status UnexpectedStop(const M4Runner& runner, const StopInfo& stop, uint32_t breakpoint) {
  if (stop.reason == StopReason::kExit) {
    return InvalidInput("{}: firmware exited with code {} instead of reaching bkpt #{}",
                        runner.elf().path(), stop.exit_code, breakpoint);
  }
  return InvalidInput("{}: firmware stopped at bkpt #{} ({}) instead of bkpt #{}",
                      runner.elf().path(), stop.breakpoint, runner.DescribePc(stop.pc - 2),
                      breakpoint);
}

}  // namespace

StatusOr<std::unique_ptr<InferenceSession>> InferenceSession::Start(
    const std::string& elf_path, const RunnerOptions& options, const InferenceSymbols& symbols) {
  TML_ASSIGN_OR_RETURN(std::unique_ptr<M4Runner> runner, M4Runner::Load(elf_path, options));
  for (const std::string* name : {&symbols.input, &symbols.output}) {
    if (!runner->elf().FindSymbol(*name)) {
      return InvalidInput("{}: no symbol '{}' (the --verify harness must define it)", elf_path,
                          *name);
    }
  }
  TML_ASSIGN_OR_RETURN(StopInfo stop, runner->RunUntilBreakpoint());
  if (stop.reason != StopReason::kBreakpoint || stop.breakpoint != symbols.breakpoint) {
    return UnexpectedStop(*runner, stop, symbols.breakpoint);
  }
  return std::unique_ptr<InferenceSession>(new InferenceSession(std::move(runner), symbols));
}

StatusOr<InferenceResult> InferenceSession::Run(const std::vector<uint8_t>& input) {
  TML_RETURN_IF_ERROR(runner_->WriteSymbol(symbols_.input, input));
  runner_->ClearProfile();
  TML_ASSIGN_OR_RETURN(StopInfo stop, runner_->RunUntilBreakpoint());
  if (stop.reason != StopReason::kBreakpoint || stop.breakpoint != symbols_.breakpoint) {
    return UnexpectedStop(*runner_, stop, symbols_.breakpoint);
  }
  InferenceResult result;
  TML_ASSIGN_OR_RETURN(result.output, runner_->ReadSymbol(symbols_.output));
  result.instructions = stop.instructions;
  result.cycles = stop.cycles;
  result.markers = runner_->MarkerProfile();
  return result;
}

}  // namespace tml::emu
