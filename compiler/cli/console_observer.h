// ConsoleObserver: what the command line shows while the library works.
//   pass summaries, Info lines  -> stdout, as they come
//   fine-tuning epochs          -> stderr ("finetune: epoch ...")
//   warnings                    -> stderr ("tinyml-compile: warning: ...")
//   progress of long steps      -> a one-line bar on stderr, only on a terminal
//                                  (compiler/cli/progress.h)
// main() makes stdout line-buffered, so piped output (CI logs) shows each line
// when it happens and in order with stderr.
#ifndef TML_COMPILER_CLI_CONSOLE_OBSERVER_H_
#define TML_COMPILER_CLI_CONSOLE_OBSERVER_H_

#include <memory>
#include <string>

#include "compiler/cli/progress.h"
#include "compiler/observer.h"

namespace tml::cli {

class ConsoleObserver : public Observer {
 public:
  void PassFinished(std::string_view pass, const std::string& summary, double seconds) override;
  void Epoch(std::string_view pass, const std::string& line) override;
  void Progress(std::string_view step, int64_t done, int64_t total) override;
  void Info(const std::string& text) override;
  void Warning(const std::string& text) override;

 private:
  std::unique_ptr<tml::Progress> progress_;
};

}  // namespace tml::cli

#endif  // TML_COMPILER_CLI_CONSOLE_OBSERVER_H_
