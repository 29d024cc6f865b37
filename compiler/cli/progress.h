// Progress: a one-line progress display on stderr for long steps (emulating
// many test samples, the Kronecker shape search, fine-tuning epochs).
//
// It draws only when stderr is a terminal (isatty(2)) and TERM is not
// "dumb"; otherwise (CI logs, pipes, tests) it prints nothing at all, so the
// output of a run is the same whatever its length. Redraws are throttled to
// about 10 per second; the line is cleared when the step finishes (Done() or
// the destructor), so normal output never interleaves with it.
//
//   Progress p("emulating", samples);
//   for (int64_t s = 0; s < samples; ++s) { ...; p.Update(s + 1); }
//   p.Done();
//
// Usable from any thread that owns the object; not shared between threads.
#ifndef TML_COMPILER_CLI_PROGRESS_H_
#define TML_COMPILER_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tml {

class Progress {
 public:
  // total <= 0: unknown total (a counter without a bar).
  Progress(std::string label, int64_t total);
  // For tests: draw to `out` as if it were a terminal when `enabled`.
  Progress(std::string label, int64_t total, std::FILE* out, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(int64_t done);
  void Done();

  bool enabled() const { return enabled_; }
  // Whether stderr is an interactive terminal (the default for `enabled`).
  static bool StderrIsTerminal();

 private:
  void Draw(int64_t done);

  std::string label_;
  int64_t total_;
  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace tml

#endif  // TML_COMPILER_CLI_PROGRESS_H_
