#include "passes/pass_manager.h"

#include <chrono>
#include <iostream>

#include "compiler/ir/printer.h"
#include "compiler/ir/verifier.h"

namespace tml {

void PassManager::Add(std::unique_ptr<Pass> pass, bool fixed_point, int max_iterations) {
  entries_.push_back(Entry{std::move(pass), fixed_point, fixed_point ? max_iterations : 1});
}

Pass* PassManager::Find(std::string_view name) const {
  for (const Entry& e : entries_) {
    if (e.pass->Name() == name) return e.pass.get();
  }
  return nullptr;
}

Status PassManager::Run(Graph& graph) {
  records_.clear();
  std::ostream& ir_out = options_.ir_out != nullptr ? *options_.ir_out : std::cerr;
  for (size_t index = 0; index < entries_.size(); ++index) {
    if (options_.stop_after >= 0 && index >= static_cast<size_t>(options_.stop_after)) break;
    Entry& entry = entries_[index];
    PassRunRecord record;
    record.name = std::string(entry.pass->Name());
    Observer& observer = options_.observer != nullptr ? *options_.observer : NullObserver();
    entry.pass->set_observer(&observer);
    observer.PassStarted(record.name);
    const auto start = std::chrono::steady_clock::now();
    for (int it = 0; it < entry.max_iterations; ++it) {
      StatusOr<bool> changed = entry.pass->Run(graph);
      if (!changed.ok()) return changed.status();
      ++record.iterations;
      record.changed = record.changed || *changed;
      if (!*changed) break;
    }
    record.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options_.verify_each) {
      Status verified = VerifyGraph(graph);
      if (!verified.ok()) {
        return Internal("the graph is invalid after pass '{}' (pass #{}): {}", record.name,
                        index + 1, verified.message());
      }
    }
    if (options_.print_ir_after == "all" || options_.print_ir_after == record.name) {
      ir_out << "// IR after " << record.name << " (pass #" << index + 1
             << (record.changed ? ", changed" : ", unchanged") << ")\n"
             << PrintGraph(graph);
    }
    observer.PassFinished(record.name, entry.pass->Summary(), record.seconds);
    records_.push_back(std::move(record));
  }
  return Status::Ok();
}

}  // namespace tml
