#include "compiler/cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace tml {

bool Progress::StderrIsTerminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) == 1 && !(term != nullptr && std::strcmp(term, "dumb") == 0);
}

Progress::Progress(std::string label, int64_t total)
    : Progress(std::move(label), total, stderr, StderrIsTerminal()) {}

Progress::Progress(std::string label, int64_t total, std::FILE* out, bool enabled)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Done(); }

void Progress::Update(int64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // The first call draws only after a quarter second: short steps stay silent.
  if (!drawn_ && now - start_ < std::chrono::milliseconds(250)) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done != total_) return;
  last_draw_ = now;
  Draw(done);
}

void Progress::Draw(int64_t done) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line;
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    const int filled = static_cast<int>(frac * kWidth);
    std::string eta;
    if (done > 0 && done < total_) {
      eta = fmt::format(", {:.0f} s left", elapsed / frac - elapsed);
    }
    line = fmt::format("{} [{}{}] {}/{} ({:.0f}%, {:.1f} s{})", label_, std::string(filled, '#'),
                       std::string(kWidth - filled, '.'), done, total_, frac * 100.0, elapsed, eta);
  } else {
    line = fmt::format("{}: {} ({:.1f} s)", label_, done, elapsed);
  }
  // \r + erase to end of line: redraw in place.
  std::fputs(("\r" + line + "\x1b[K").c_str(), out_);
  std::fflush(out_);
  drawn_ = true;
}

void Progress::Done() {
  if (!enabled_ || !drawn_) return;
  std::fputs("\r\x1b[K", out_);
  std::fflush(out_);
  drawn_ = false;
  enabled_ = false;
}

}  // namespace tml
