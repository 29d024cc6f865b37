// libFuzzer harness: any bytes as an ONNX model, through the importer (protobuf
// parse, checker, shape inference, op Prepare, constant folding) and the IR
// verifier. Anything but a clean Status is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/ir/verifier.h"
#include "compiler/onnx/importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  tml::StatusOr<tml::ImportResult> imported = tml::ImportOnnxBytes(bytes, "fuzz.onnx");
  if (imported.ok()) (void)tml::VerifyGraph(imported->graph);
  return 0;
}
