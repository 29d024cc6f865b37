#include "codegen/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace tml::codegen {
namespace {

bool Overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}

int64_t AlignUp(int64_t v, int64_t alignment) { return (v + alignment - 1) / alignment * alignment; }

}  // namespace

MemoryPlan PlanMemory(const std::vector<BufferRequest>& buffers, int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers[a].size != buffers[b].size) return buffers[a].size > buffers[b].size;
    if (buffers[a].first_use != buffers[b].first_use) return buffers[a].first_use < buffers[b].first_use;
    return a < b;
  });
  std::vector<size_t> placed;
  for (size_t i : order) {
    const int64_t size = AlignUp(buffers[i].size, alignment);
    std::vector<size_t> live;
    for (size_t j : placed) {
      if (Overlap(buffers[i], buffers[j])) live.push_back(j);
    }
    std::sort(live.begin(), live.end(), [&](size_t a, size_t b) {
      return plan.offsets[a] != plan.offsets[b] ? plan.offsets[a] < plan.offsets[b] : a < b;
    });
    int64_t candidate = 0;
    for (size_t j : live) {
      if (plan.offsets[j] >= candidate + size) break;  // the gap before j fits
      candidate = std::max(candidate, AlignUp(plan.offsets[j] + buffers[j].size, alignment));
    }
    plan.offsets[i] = candidate;
    plan.arena_bytes = std::max(plan.arena_bytes, AlignUp(candidate + buffers[i].size, alignment));
    placed.push_back(i);
  }
  return plan;
}

std::string VerifyMemoryPlan(const std::vector<BufferRequest>& buffers, const MemoryPlan& plan) {
  if (plan.offsets.size() != buffers.size()) return "plan size differs from the request count";
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (plan.offsets[i] < 0 || plan.offsets[i] + buffers[i].size > plan.arena_bytes) {
      return "buffer " + std::to_string(i) + " lies outside the arena";
    }
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (!Overlap(buffers[i], buffers[j])) continue;
      const bool disjoint = plan.offsets[i] + buffers[i].size <= plan.offsets[j] ||
                            plan.offsets[j] + buffers[j].size <= plan.offsets[i];
      if (!disjoint) {
        return "buffers " + std::to_string(i) + " and " + std::to_string(j) +
               " are alive together and overlap";
      }
    }
  }
  return "";
}

}  // namespace tml::codegen
