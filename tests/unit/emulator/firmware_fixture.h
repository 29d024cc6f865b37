// Test helpers: build a firmware from inline sources into a per-test
// temporary directory and load it into an M4Runner.
#ifndef TML_TESTS_UNIT_EMULATOR_FIRMWARE_FIXTURE_H_
#define TML_TESTS_UNIT_EMULATOR_FIRMWARE_FIXTURE_H_

#include <memory>
#include <string>

#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"

namespace tml::emu::testing {

// A fresh directory under the system temp dir, named after the running test.
std::string TestDir();

// Writes `source` to TestDir()/<file_name> and builds it with the harness.
// Fails the test (ADD_FAILURE) and returns "" on a build error.
std::string BuildSource(const std::string& file_name, const std::string& source,
                        const TargetProfile& profile = TargetProfile{},
                        const std::string& optimization = "-O2");

// Wraps Thumb assembly in a `main` between `bkpt #1` and `bkpt #2`, so that
// the second RunUntilBreakpoint() measures exactly `body`. `prologue` is
// placed before the first bkpt (register setup), `epilogue_data` after main
// (labels, literal data, helper functions).
std::string AsmBench(const std::string& prologue, const std::string& body,
                     const std::string& epilogue_data = "");

// Loads an ELF or fails the test.
std::unique_ptr<M4Runner> LoadOrDie(const std::string& elf,
                                    const RunnerOptions& options = RunnerOptions{});

// Cycles and instructions of the code between bkpt #1 and bkpt #2 (the
// closing BKPT costs 0 cycles and is not counted as an instruction here).
struct Measured {
  uint64_t cycles = 0;
  uint64_t instructions = 0;
};
Measured MeasureAsm(const std::string& prologue, const std::string& body,
                    const std::string& epilogue_data = "",
                    const RunnerOptions& options = RunnerOptions{});

}  // namespace tml::emu::testing

#endif  // TML_TESTS_UNIT_EMULATOR_FIRMWARE_FIXTURE_H_
