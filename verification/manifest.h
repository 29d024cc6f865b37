// The manifest of a `compile` output directory: OUTDIR/tinyml-compile.json,
// written by the driver (compiler/driver/compile.h) and read by `verify`.
// Keys: tool, version, name, model_path (absolute), model_hash, input_shapes,
// quantize, arena (static/extern), has_invoke_s8, float_math (fast|exact), sources and
// include_dirs (relative to OUTDIR), inputs / outputs
// ({name, shape}), arena_bytes, weight_bytes, kernels, layers (marker id ->
// name), layer_weights, has_step, kernel_text {estimated, compiler, flags, total_bytes,
// kernels [{kernel, bytes}]} (when the tool was built with arm-none-eabi-gcc), target {name, flash_kb, ram_kb, clock_mhz,
// flash_wait_states, flash_cache, settings} (TargetManifest below),
// and the compile-time figures for the reports: kron_factorize, dope,
// finetune, anomaly {threshold, ...}, report {layers, passes, stages, options};
// with --gate, gate {kind, size, stride, threshold, (baseline, alpha | weights,
// bias), recall_target, calib {...}} (compiler/gate/wake_gate.h).
#ifndef TML_VERIFICATION_MANIFEST_H_
#define TML_VERIFICATION_MANIFEST_H_

#include <string>

#include <nlohmann/json.hpp>

#include "compiler/status.h"
#include "emulator/target_profile.h"

namespace tml::verification {

inline constexpr const char* kManifestFile = "tinyml-compile.json";

// The manifest of `out_dir`; kInvalidInput naming the directory when it is
// missing or is not one.
StatusOr<nlohmann::json> ReadManifest(const std::string& out_dir);

// The manifest's "target": the resolved profile's name, clock, wait states and
// flash cache (what changes cycle figures), its DescribeTarget() text, and the
// budget: flash_kb / ram_kb when positive, else the part's flash and RAM.
nlohmann::json TargetManifest(const emu::TargetProfile& profile, double flash_kb, double ram_kb);

// The profile verify runs on: `choice` where it says something (a --target
// other than the manifest's drops the manifest's clock, wait states and
// cache), the manifest's "target" for the rest. Manifests written before the
// flash model (no flash_wait_states) mean 0 wait states, no cache.
StatusOr<emu::TargetProfile> ManifestTarget(const nlohmann::json& target,
                                            const emu::TargetChoice& choice);

// The bytes of a file (kInvalidInput naming it when unreadable).
StatusOr<std::string> ReadFileBytes(const std::string& path);

// FNV-1a 64 of `bytes` as "fnv1a64:<16 hex digits>": the model hash of the
// manifest and of the generated sources' provenance header.
std::string HashBytes(const std::string& bytes);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_MANIFEST_H_
