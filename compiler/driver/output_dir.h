// Writing compile results without ever leaving half of them behind, and
// without destroying anything on the way.
//
// CheckOutputDir: everything that can be known before the (long) compile —
//   OUTDIR is not a symlink or a file; non-empty needs `force`; its parent
//   exists; no input of the run (model, calibration, test data, labels) lies
//   inside it (--force would delete it).
// WriteOutputDir: the files go to a temporary directory next to OUTDIR
//   (".NAME.tmp-PID"), which is renamed into place at the end, so a failed run
//   never leaves a half-written directory; a replaced OUTDIR is moved aside
//   (".NAME.old-PID") and restored if the rename fails. Temporary directories
//   of the same OUTDIR left by a killed run (their PID is gone) are removed.
// WriteTextFile: one file (--report, --html), compiler/atomic_file.h.
#ifndef TML_COMPILER_DRIVER_OUTPUT_DIR_H_
#define TML_COMPILER_DRIVER_OUTPUT_DIR_H_

#include <string>
#include <vector>

#include "codegen/model_emitter.h"
#include "compiler/status.h"

namespace tml {

Status CheckOutputDir(const std::string& out_dir, bool force, const std::vector<std::string>& inputs);
Status WriteOutputDir(const std::string& out_dir, const std::vector<codegen::GeneratedFile>& files,
                      bool force);
Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace tml

#endif  // TML_COMPILER_DRIVER_OUTPUT_DIR_H_
