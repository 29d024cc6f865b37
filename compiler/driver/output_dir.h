// Writing compile results without ever leaving half of them behind.
//
// WriteOutputDir: everything goes to a temporary directory next to OUTDIR,
// which is renamed into place at the end, so a failed run never leaves a
// half-written directory. An existing non-empty directory is an error unless
// `force` (then it is replaced, and restored if the replacement fails).
// WriteTextFile: one file, written next to its target and renamed.
#ifndef TML_COMPILER_DRIVER_OUTPUT_DIR_H_
#define TML_COMPILER_DRIVER_OUTPUT_DIR_H_

#include <string>
#include <vector>

#include "codegen/model_emitter.h"
#include "compiler/status.h"

namespace tml {

Status WriteOutputDir(const std::string& out_dir, const std::vector<codegen::GeneratedFile>& files,
                      bool force);
Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_OUTPUT_DIR_H_
