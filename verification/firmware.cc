#include "verification/firmware.h"

#include <filesystem>
#include <fstream>

#include "emulator/firmware_build.h"
#include "verification/verify_main.h"

namespace tml::verification {

namespace fs = std::filesystem;

StatusOr<VerificationFirmware> BuildVerificationFirmware(const std::string& out_dir,
                                                         const nlohmann::json& manifest,
                                                         const emu::TargetProfile& profile) {
  const fs::path dir(out_dir);
  const fs::path build_dir = fs::absolute(dir / "firmware");
  std::error_code ec;
  fs::create_directories(build_dir, ec);
  const fs::path main_c = build_dir / "verify_main.c";
  {
    std::ofstream out(main_c, std::ios::binary);
    const bool gate = manifest.contains("gate");
    out << VerifyMainC(manifest["name"].get<std::string>(), gate,
                       gate && manifest["gate"].value("s8_scale", 0.0) > 0.0);
    out.close();
    if (!out) return InvalidInput("{}: cannot write", main_c.string());
  }
  emu::FirmwareBuild build;
  build.profile = profile;
  build.build_dir = build_dir.string();
  build.sources.push_back(main_c.string());
  for (const auto& s : manifest["sources"]) {
    build.sources.push_back(fs::absolute(dir / s.get<std::string>()).string());
  }
  for (const auto& d : manifest["include_dirs"]) {
    build.include_dirs.push_back(fs::absolute(dir / d.get<std::string>()).lexically_normal().string());
  }
  build.extra_flags = {"-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"};
  VerificationFirmware firmware;
  TML_ASSIGN_OR_RETURN(firmware.elf, emu::BuildFirmware(build));
  build.output_name = "firmware_profile.elf";
  build.defines = {"TML_PROFILE"};
  TML_ASSIGN_OR_RETURN(firmware.profile_elf, emu::BuildFirmware(build));
  return firmware;
}

}  // namespace tml::verification
