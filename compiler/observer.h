// Observer: how a long-running library call (Compile, the passes, Verify)
// tells its caller what is happening while it happens.
//
// The library never prints. Every pass start and end (with the pass's own
// summary, e.g. the kron-factorize table), every fine-tuning epoch, warnings,
// result lines and the progress of long steps (emulating the test samples)
// go through one Observer, so the CLI can print each as soon as it exists
// (compiler/cli/console_observer.h), a test can record them, and a bench can
// ignore them (NullObserver()).
//
// Every method has an empty default; an observer overrides what it shows.
// Calls come from the thread that called the library function, in order.
//
// Base layer: includes nothing of the project, so the IR, the passes, the
// verification and the driver may all take one.
#ifndef TML_COMPILER_OBSERVER_H_
#define TML_COMPILER_OBSERVER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tml {

class Observer {
 public:
  virtual ~Observer() = default;

  // A pass of the pipeline begins.
  virtual void PassStarted(std::string_view /*pass*/) {}
  // A pass ended; `summary` is its report as text ("" when it has none),
  // every line ending in '\n'.
  virtual void PassFinished(std::string_view /*pass*/, const std::string& /*summary*/,
                            double /*seconds*/) {}
  // One line of a training pass's progress (a fine-tuning epoch), without '\n'.
  virtual void Epoch(std::string_view /*pass*/, const std::string& /*line*/) {}
  // Progress of a long step: `done` of `total` units (total <= 0: unknown).
  // done == total ends the step.
  virtual void Progress(std::string_view /*step*/, int64_t /*done*/, int64_t /*total*/) {}
  // A result of the run (figures), one or more lines each ending in '\n'.
  virtual void Info(const std::string& /*text*/) {}
  // Something the user should know that does not stop the run, without '\n'.
  virtual void Warning(const std::string& /*text*/) {}
};

// An observer that ignores everything (benches, tests that do not look).
inline Observer& NullObserver() {
  static Observer null;
  return null;
}

}  // namespace tml

#endif  // TML_COMPILER_OBSERVER_H_
