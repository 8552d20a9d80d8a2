# SPDX-License-Identifier: BSD-2-Clause
# common.sh: set-up shared by scripts/run, scripts/test and scripts/sdcard (sourced, not run).
#
# petrel_setup installs missing Debian packages (as root; otherwise prints the
# apt-get line and stops). petrel_build PLATFORM configures and builds
# build/PLATFORM, fetching the Pi files first for rpi2/rpi3.

PETREL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PETREL_CACHE=${PETREL_CACHE:-$PETREL_ROOT/.cache}
export PETREL_CACHE

PETREL_PACKAGES=(gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi
  g++ python3 meson ninja-build catch2 qemu-system-arm u-boot-qemu u-boot-tools
  mtools dosfstools device-tree-compiler gdb-multiarch clang libclang-rt-14-dev graphviz)

petrel_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

petrel_setup() {
  local missing=() p
  for p in "${PETREL_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Petrel needs these Debian packages. Install them, then run this again:"
    echo "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || petrel_die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || petrel_die "apt-get install ${missing[*]} failed"
}

# petrel_build PLATFORM: configure (once) and build build/PLATFORM.
petrel_build() {
  local platform=$1 dir="$PETREL_ROOT/build/$1" opts=()
  mkdir -p "$PETREL_ROOT/build"
  case $platform in
    rpi2|rpi3)
      "$PETREL_ROOT/scripts/fetch-rpi" || petrel_die "could not fetch the Raspberry Pi files"
      opts+=("-Drpi_files=$PETREL_CACHE/rpi") ;;
  esac
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$PETREL_ROOT" --cross-file "$PETREL_ROOT/arch/arm/toolchain.ini" \
      "-Dplatform=$platform" "${opts[@]}" >"$dir.setup.log" 2>&1 \
      || { cat "$dir.setup.log"; petrel_die "meson setup for $platform failed"; }
  fi
  ninja -C "$dir" >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; petrel_die "build for $platform failed"; }
}
