#include "verification/manifest.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace tml::verification {

StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidInput("{}: no such file or not readable", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

StatusOr<nlohmann::json> ReadManifest(const std::string& out_dir) {
  const std::filesystem::path path = std::filesystem::path(out_dir) / kManifestFile;
  TML_ASSIGN_OR_RETURN(std::string text, ReadFileBytes(path.string()));
  nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
  if (manifest.is_discarded() || !manifest.contains("model_path")) {
    return InvalidInput("{}: not a tinyml-compile output directory (bad {})", out_dir, kManifestFile);
  }
  return manifest;
}

std::string HashBytes(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

}  // namespace tml::verification
