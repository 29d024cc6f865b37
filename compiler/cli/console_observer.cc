#include "compiler/cli/console_observer.h"

#include <cstdio>

namespace tml::cli {

void ConsoleObserver::PassFinished(std::string_view, const std::string& summary, double) {
  std::fputs(summary.c_str(), stdout);
  std::fflush(stdout);
}

void ConsoleObserver::Epoch(std::string_view, const std::string& line) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", line.c_str());
}

void ConsoleObserver::Progress(std::string_view step, int64_t done, int64_t total) {
  if (progress_ == nullptr) progress_ = std::make_unique<tml::Progress>(std::string(step), total);
  progress_->Update(done);
  if (total > 0 && done >= total) progress_.reset();  // clears the line
}

void ConsoleObserver::Info(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

void ConsoleObserver::Warning(const std::string& text) {
  std::fflush(stdout);
  std::fprintf(stderr, "tinyml-compile: warning: %s\n", text.c_str());
}

}  // namespace tml::cli
