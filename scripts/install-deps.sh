#!/bin/sh
# Installs every Debian package tinyml-compile needs to build, test and emulate.
# Idempotent: packages already present are left as they are. Run as root.
set -eu

# libclang-rt-dev: the ASan/UBSan/libFuzzer runtimes of the sanitizer and fuzz stages; clang
# only recommends it, and recommends are not installed here.
PACKAGES="
  build-essential cmake ninja-build pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler
  libcli11-dev libfmt-dev libeigen3-dev
  libunicorn-dev libcapstone-dev libelf-dev
  nlohmann-json3-dev libgtest-dev libssl-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  python3 python3-onnx python3-numpy clang libclang-rt-dev
  chromium
"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing$missing"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
