// Memory planning: places every intermediate buffer of one inference in a
// single static arena, reusing memory between buffers whose lifetimes do not
// overlap.
//
// Input: a list of buffers, each with a size in bytes and a lifetime
// [first_use, last_use] in schedule steps (inclusive at both ends). A node's
// outputs are born at its step and its inputs die at their last consumer's
// step, so a node's inputs and outputs always overlap in time and never share
// memory (the runtime kernels do not allow that unless they say so).
// Whole-inference buffers (e.g. recurrent state) use [0, last step].
//
// Algorithm (the idea of tflite-micro's GreedyMemoryPlanner):
//   1. Sort the buffers by size, largest first (ties: earlier first_use,
//      then lower index, so the plan is deterministic).
//   2. Place them one at a time. For the buffer being placed, collect the
//      already-placed buffers whose lifetimes overlap its own, sorted by
//      offset. Walk the gaps between them from offset 0 upwards and take the
//      first gap big enough (first fit); if none is, place it after the
//      highest of them.
//   3. The arena size is the largest end offset.
// Every offset is a multiple of `alignment`. Placing large buffers first
// leaves the small ones to fill the holes; the result is within a few percent
// of optimal on sequence models, and costs O(n² log n) for n buffers (n is a
// few dozen here).
//
// The plan is checked by VerifyMemoryPlan: no two buffers that are alive at
// the same step overlap, and all lie inside the arena.
#ifndef TML_CODEGEN_MEMORY_PLAN_H_
#define TML_CODEGEN_MEMORY_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tml::codegen {

struct BufferRequest {
  int64_t size = 0;  // bytes (> 0)
  int first_use = 0;
  int last_use = 0;  // >= first_use
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // bytes, one per request, multiples of the alignment
  int64_t arena_bytes = 0;
};

MemoryPlan PlanMemory(const std::vector<BufferRequest>& buffers, int64_t alignment = 16);

// "" when the plan is valid, else the first violation.
std::string VerifyMemoryPlan(const std::vector<BufferRequest>& buffers, const MemoryPlan& plan);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_MEMORY_PLAN_H_
