#include "tests/unit/emulator/firmware_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tml::emu::testing {

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "tml";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("tml_emu_" + std::to_string(getpid())) / name;
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string BuildSource(const std::string& file_name, const std::string& source,
                        const TargetProfile& profile, const std::string& optimization) {
  const std::string dir = TestDir();
  const std::string path = dir + "/" + file_name;
  std::ofstream(path) << source;
  FirmwareBuild build;
  build.profile = profile;
  build.build_dir = dir;
  build.sources = {path};
  build.optimization = optimization;
  auto elf = BuildFirmware(build);
  if (!elf.ok()) {
    ADD_FAILURE() << elf.status().message();
    return "";
  }
  return *elf;
}

std::string AsmBench(const std::string& prologue, const std::string& body,
                     const std::string& epilogue_data) {
  return "  .syntax unified\n  .thumb\n  .text\n  .global main\n  .type main, %function\n"
         "  .balign 4\nmain:\n  push {r4-r11, lr}\n  vpush {s16-s31}\n" +
         prologue + "\n  bkpt #1\n" + body +
         "\n  bkpt #2\n  vpop {s16-s31}\n  pop {r4-r11, pc}\n  .size main, .-main\n" +
         epilogue_data + "\n";
}

std::unique_ptr<M4Runner> LoadOrDie(const std::string& elf, const RunnerOptions& options) {
  auto runner = M4Runner::Load(elf, options);
  if (!runner.ok()) {
    ADD_FAILURE() << runner.status().message();
    return nullptr;
  }
  return std::move(runner).value();
}

Measured MeasureAsm(const std::string& prologue, const std::string& body,
                    const std::string& epilogue_data, const RunnerOptions& options) {
  const std::string elf = BuildSource("bench.S", AsmBench(prologue, body, epilogue_data));
  if (elf.empty()) return {};
  auto runner = LoadOrDie(elf, options);
  if (!runner) return {};
  auto first = runner->RunUntilBreakpoint();
  if (!first.ok() || first->breakpoint != 1) {
    ADD_FAILURE() << "did not reach bkpt #1: "
                  << (first.ok() ? std::to_string(first->breakpoint) : first.status().message());
    return {};
  }
  auto second = runner->RunUntilBreakpoint();
  if (!second.ok() || second->breakpoint != 2) {
    ADD_FAILURE() << "did not reach bkpt #2: "
                  << (second.ok() ? std::to_string(second->breakpoint) : second.status().message());
    return {};
  }
  return {second->cycles, second->instructions - 1};  // minus the closing bkpt #2
}

}  // namespace tml::emu::testing
