// libFuzzer harness: any bytes as a firmware ELF through the emulator's loader
// (libelf parsing, segment and symbol checks against the Cortex-M4 memory map),
// and, when it loads, a short bounded run. The loader takes a path, so each
// input is written to one scratch file first.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "emulator/elf_file.h"
#include "emulator/m4_runner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tml_elf_fuzz_" + std::to_string(getpid()) + ".elf";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  tml::StatusOr<tml::emu::ElfFile> elf = tml::emu::ElfFile::Read(path);
  if (!elf.ok()) return 0;
  tml::emu::RunnerOptions options;
  options.max_instructions = 2000;  // a fuzz input must not run long
  auto runner = tml::emu::M4Runner::Load(path, options);
  if (runner.ok()) (void)(*runner)->RunUntilBreakpoint();
  return 0;
}
