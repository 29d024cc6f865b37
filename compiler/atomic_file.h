// Writing one output file so that nothing is ever half-written or written
// through someone else's link: the bytes go to a new temporary file next to
// the target, created exclusively (O_CREAT | O_EXCL | O_NOFOLLOW, so a planted
// "<path>.tmp-..." symlink or file is never followed or reused), which is
// renamed over the target at the end. An existing target that is not a
// regular file (a symlink, FIFO, device or directory) is refused, not replaced.
//
// Base layer: includes nothing of the project but status.h.
#ifndef TML_COMPILER_ATOMIC_FILE_H_
#define TML_COMPILER_ATOMIC_FILE_H_

#include <string>

#include "compiler/status.h"

namespace tml {

// kInvalidInput naming `path` and why on any failure; the target is then unchanged.
Status WriteFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace tml

#endif  // TML_COMPILER_ATOMIC_FILE_H_
