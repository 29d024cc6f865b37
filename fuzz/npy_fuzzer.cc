// libFuzzer harness: any bytes as a NumPy .npy file through ReadNpy (header
// parsing, dtype, shape arithmetic, size checks). The reader takes a path, so
// each input is written to one scratch file first.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "compiler/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tml_npy_fuzz_" + std::to_string(getpid()) + ".npy";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  (void)tml::ReadNpy(path);
  return 0;
}
