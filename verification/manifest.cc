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

nlohmann::json TargetManifest(const emu::TargetProfile& profile, double flash_kb, double ram_kb) {
  return {{"name", profile.name},
          {"flash_kb", flash_kb > 0 ? flash_kb : profile.flash_size / 1024.0},
          {"ram_kb", ram_kb > 0 ? ram_kb : profile.sram_size / 1024.0},
          {"clock_mhz", profile.clock_mhz},
          {"flash_wait_states", profile.flash_wait_states},
          {"flash_cache", profile.flash_cache},
          {"settings", emu::DescribeTarget(profile)}};
}

StatusOr<emu::TargetProfile> ManifestTarget(const nlohmann::json& target,
                                            const emu::TargetChoice& choice) {
  emu::TargetChoice resolved = choice;
  const bool same = choice.spec.empty();
  if (same) {
    resolved.spec = target.value("name", std::string("cortex-m4"));
    if (resolved.clock_mhz <= 0) resolved.clock_mhz = target.value("clock_mhz", -1.0);
    if (resolved.flash_ws < 0) resolved.flash_ws = target.value("flash_wait_states", int64_t{0});
    if (resolved.flash_cache.empty()) {
      resolved.flash_cache = target.value("flash_cache", false) ? "on" : "off";
    }
  }
  return emu::ResolveTarget(resolved);
}

}  // namespace tml::verification
