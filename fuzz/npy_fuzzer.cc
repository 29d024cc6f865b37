// libFuzzer harness: any bytes as a NumPy .npy file through the reader
// (header parsing, dtype, shape arithmetic, size checks); ReadNpy is this
// parse after a size-capped file read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)tml::ParseNpy(std::string(reinterpret_cast<const char*>(data), size), "fuzz.npy");
  return 0;
}
