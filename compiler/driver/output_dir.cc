#include "compiler/driver/output_dir.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

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

}  // namespace

Status WriteOutputDir(const std::string& out_dir_text, const std::vector<codegen::GeneratedFile>& files,
                      bool force) {
  const fs::path out_dir(out_dir_text);
  std::error_code ec;
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
  const fs::path target(path);
  fs::path tmp = target;
  tmp += fmt::format(".tmp-{}", getpid());
  TML_RETURN_IF_ERROR(WriteText(tmp, text));
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp, ec);
    return InvalidInput("{}: cannot write ({})", path, why);
  }
  return Status::Ok();
}

}  // namespace tml
