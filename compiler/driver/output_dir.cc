#include "compiler/driver/output_dir.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "compiler/atomic_file.h"

namespace tml {
namespace {

namespace fs = std::filesystem;

// Writes `text` to `path` in place (inside the temporary directory).
Status WriteText(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return InvalidInput("{}: cannot write", path.string());
  return Status::Ok();
}

// OUTDIR without trailing separators, so its file name is its last component.
fs::path Normalized(const std::string& out_dir) {
  std::string text = out_dir;
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return fs::path(text);
}

bool ProcessAlive(long pid) { return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// Removes ".NAME.tmp-PID" / ".NAME.old-PID" next to OUTDIR whose process is gone.
void RemoveStaleTemporaries(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(parent, ec)) {
    const std::string file = e.path().filename().string();
    for (const char* kind : {".tmp-", ".old-"}) {
      const std::string prefix = "." + name + kind;
      if (file.rfind(prefix, 0) != 0) continue;
      char* end = nullptr;
      const long pid = std::strtol(file.c_str() + prefix.size(), &end, 10);
      if (end != nullptr && *end == '\0' && pid != getpid() && !ProcessAlive(pid)) {
        std::error_code rm;
        fs::remove_all(e.path(), rm);
      }
    }
  }
}

}  // namespace

Status CheckOutputDir(const std::string& out_dir_text, bool force, const std::vector<std::string>& inputs) {
  const fs::path out_dir = Normalized(out_dir_text);
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(out_dir, ec))) {
    return InvalidInput("{}: is a symbolic link; give the directory itself", out_dir.string());
  }
  const bool exists = fs::exists(out_dir, ec);
  if (exists && !fs::is_directory(out_dir, ec)) {
    return InvalidInput("{}: exists and is not a directory", out_dir.string());
  }
  if (exists && !fs::is_empty(out_dir, ec) && !force) {
    return InvalidInput("{}: directory is not empty; use --force to replace it", out_dir.string());
  }
  fs::path parent = out_dir.parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) {
    return InvalidInput("{}: the parent directory {} does not exist", out_dir.string(),
                        parent.string());
  }
  const fs::path dir = fs::weakly_canonical(fs::absolute(out_dir), ec);
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    const fs::path in = fs::weakly_canonical(fs::absolute(input), ec);
    const auto [d, i] = std::mismatch(dir.begin(), dir.end(), in.begin(), in.end());
    if (d == dir.end()) {
      return InvalidInput("{}: holds the input {}; --force would delete it (choose another output directory)",
                          out_dir.string(), input);
    }
  }
  return Status::Ok();
}

Status WriteOutputDir(const std::string& out_dir_text, const std::vector<codegen::GeneratedFile>& files,
                      bool force) {
  TML_RETURN_IF_ERROR(CheckOutputDir(out_dir_text, force, {}));
  const fs::path out_dir = Normalized(out_dir_text);
  std::error_code ec;
  const bool exists = fs::exists(out_dir, ec);
  fs::path parent = out_dir.parent_path();
  if (parent.empty()) parent = ".";
  RemoveStaleTemporaries(parent, out_dir.filename().string());
  const fs::path tmp = parent / fmt::format(".{}.tmp-{}", out_dir.filename().string(), getpid());
  fs::remove_all(tmp, ec);
  if (!fs::create_directory(tmp, ec)) {
    return InvalidInput("{}: cannot create a directory in {} ({})", out_dir.string(),
                        parent.string(), ec.message());
  }
  for (const codegen::GeneratedFile& f : files) {
    Status st = WriteText(tmp / f.path, f.content);
    if (!st.ok()) {
      fs::remove_all(tmp, ec);
      return st;
    }
  }
  if (exists) {
    const fs::path old = parent / fmt::format(".{}.old-{}", out_dir.filename().string(), getpid());
    fs::rename(out_dir, old, ec);
    if (ec) {
      fs::remove_all(tmp, ec);
      return InvalidInput("{}: cannot replace it ({})", out_dir.string(), ec.message());
    }
    fs::rename(tmp, out_dir, ec);
    if (ec) {
      fs::rename(old, out_dir, ec);
      fs::remove_all(tmp, ec);
      return InvalidInput("{}: cannot replace it", out_dir.string());
    }
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp, out_dir, ec);
    if (ec) {
      const std::string why = ec.message();
      fs::remove_all(tmp, ec);
      return InvalidInput("{}: cannot create it ({})", out_dir.string(), why);
    }
  }
  return Status::Ok();
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  return WriteFileAtomically(path, text);
}

}  // namespace tml
