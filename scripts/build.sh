#!/bin/sh
# Installs missing Debian packages, then configures and builds tinyml-compile
# into ${BUILD_DIR:-build}. Idempotent; incremental when run again.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/install-deps.sh"
# A new build directory gets Ninja (quicker than make on 2 cores: a target's
# objects compile while the libraries it links are still being built); an
# existing one keeps the generator it was made with.
generator=""
[ -f "$BUILD_DIR/CMakeCache.txt" ] || ! command -v ninja >/dev/null 2>&1 || generator="-GNinja"
# shellcheck disable=SC2086
cmake -S "$ROOT" -B "$BUILD_DIR" $generator -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
