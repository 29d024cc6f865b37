// Emulator throughput: guest MIPS of plain Unicorn (no hooks) versus the
// full cycle model (block hook + cached capstone costs) on a long-running
// int8 matrix-multiply kernel, and their ratio. The cycle model is required
// to keep at least half of plain Unicorn's speed. A third mode adds the flash
// model (stm32l4r5@120: 5 wait states behind the ART), reported, not required.
//
// Usage: bench_emulator_throughput [repetitions=60]
// Needs arm-none-eabi-gcc on PATH (the firmware is built at run time).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"

namespace {

constexpr char kKernel[] = R"(
#include <stdint.h>
#define N 64
int8_t a[N * N], b[N * N];
int32_t c[N * N];
__attribute__((noinline)) void matmul_s8(void) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      int32_t acc = 0;
      for (int k = 0; k < N; ++k) acc += a[i * N + k] * b[k * N + j];
      c[i * N + j] = acc;
    }
}
int main(void) {
  for (int i = 0; i < N * N; ++i) { a[i] = (int8_t)(i * 7); b[i] = (int8_t)(i * 13); }
  for (int r = 0; r < REPETITIONS; ++r) matmul_s8();
  return c[5] & 0x7f;
}
)";

// CPU time of this thread: Unicorn runs in the caller's thread, and unlike
// wall time this does not count the time other processes hold the core.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Result {
  double seconds = 0;
  uint64_t instructions = 0;
  uint64_t cycles = 0;
};

bool Run(const std::string& elf, bool cycle_model, const tml::emu::TargetProfile& profile,
         Result& result) {
  tml::emu::RunnerOptions options;
  options.profile = profile;
  options.cycle_model = cycle_model;
  options.max_instructions = 0;
  auto runner = tml::emu::M4Runner::Load(elf, options);
  if (!runner.ok()) {
    std::fprintf(stderr, "%s\n", runner.status().message().c_str());
    return false;
  }
  const double start = ThreadCpuSeconds();
  auto stop = (*runner)->RunUntilBreakpoint();
  const double end = ThreadCpuSeconds();
  if (!stop.ok()) {
    std::fprintf(stderr, "%s\n", stop.status().message().c_str());
    return false;
  }
  result.seconds = end - start;
  result.instructions = stop->instructions;
  result.cycles = stop->cycles;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 60;
  const auto dir = std::filesystem::temp_directory_path() / "tml_bench_emulator_throughput";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "kernel.c") << kKernel;
  tml::emu::FirmwareBuild build;
  build.build_dir = dir.string();
  build.sources = {(dir / "kernel.c").string()};
  build.defines = {"REPETITIONS=" + std::to_string(repetitions)};
  auto elf = tml::emu::BuildFirmware(build);
  if (!elf.ok()) {
    std::fprintf(stderr, "%s\n", elf.status().message().c_str());
    return 1;
  }

  // Best of five alternating runs per mode (thread CPU time): the host may
  // be busy, and the fastest run is the one least disturbed by other processes.
  auto board = tml::emu::NamedTargetProfile("stm32l4r5@120");
  if (!board.ok()) return 1;
  const tml::emu::TargetProfile m4;
  Result modelled, plain, flash;
  modelled.seconds = plain.seconds = flash.seconds = 1e30;
  for (int round = 0; round < 5; ++round) {
    Result r;
    if (!Run(*elf, false, m4, r)) return 1;
    if (r.seconds < plain.seconds) plain = r;
    if (!Run(*elf, true, m4, r)) return 1;
    if (r.seconds < modelled.seconds) modelled = r;
    if (!Run(*elf, true, *board, r)) return 1;
    if (r.seconds < flash.seconds) flash = r;
  }
  // Plain Unicorn counts nothing; the program is deterministic, so it ran
  // the same instructions as the modelled run.
  const double plain_mips = modelled.instructions / plain.seconds / 1e6;
  const double model_mips = modelled.instructions / modelled.seconds / 1e6;
  std::printf(
      "kernel: int8 64x64x64 matmul x %d, %llu guest instructions, %llu modelled cycles "
      "(CPI %.3f)\n",
      repetitions, static_cast<unsigned long long>(modelled.instructions),
      static_cast<unsigned long long>(modelled.cycles),
      static_cast<double>(modelled.cycles) / modelled.instructions);
  std::printf("plain unicorn (no hooks): %8.1f guest MIPS  (%.3f s CPU)\n", plain_mips,
              plain.seconds);
  std::printf(
      "with cycle model:         %8.1f guest MIPS  (%.3f s CPU)  %.1f M modelled cycles/s\n",
      model_mips, modelled.seconds, modelled.cycles / modelled.seconds / 1e6);
  const double flash_mips = flash.instructions / flash.seconds / 1e6;
  std::printf(
      "+ flash model (%s): %8.1f guest MIPS  (%.3f s CPU)  %llu cycles (CPI %.3f)\n",
      tml::emu::DescribeTarget(*board).c_str(), flash_mips, flash.seconds,
      static_cast<unsigned long long>(flash.cycles),
      static_cast<double>(flash.cycles) / flash.instructions);
  std::printf("ratio model/plain:        %8.2f  (requirement: >= 0.50)\n", model_mips / plain_mips);
  std::printf("ratio flash model/plain:  %8.2f\n", flash_mips / plain_mips);
  return model_mips / plain_mips >= 0.5 ? 0 : 2;
}
