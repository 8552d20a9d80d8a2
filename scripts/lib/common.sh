# SPDX-License-Identifier: BSD-2-Clause
# common.sh: set-up shared by scripts/run, scripts/test and scripts/sdcard (sourced, not run).
#
# petrel_setup installs missing Debian packages (as root; otherwise prints the
# apt-get line and stops). petrel_build PLATFORM [TARGET...] configures and
# builds build/PLATFORM, fetching the Pi files first for a board whose card
# carries U-Boot (rpi2, rpi3: platform/<board>/board.toml).

PETREL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PETREL_CACHE=${PETREL_CACHE:-$PETREL_ROOT/.cache}
export PETREL_CACHE

# Debian packages, named without a version so that Debian 12 and 13 alike have
# them: libclang-rt-dev is the libFuzzer runtime of the release's default clang
# (libclang-rt-14-dev on Debian 12, -19- on Debian 13), catch2 is v2 on Debian 12
# and v3 on 13 (test/host/catch.hpp takes either).
PETREL_PACKAGES=(gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi
  g++ python3 meson ninja-build pkgconf catch2 qemu-system-arm u-boot-qemu u-boot-tools
  mtools dosfstools device-tree-compiler gdb-multiarch clang libclang-rt-dev graphviz
  binutils-aarch64-linux-gnu)

# QEMU 10 or later: its raspi3b and raspi4b machines boot the Pi 3 and Pi 4.
# Debian 13's own qemu-system-arm is 10.0; Debian 12's is 7.2, so on Debian 12
# it comes from bookworm-backports, on the mirror the machine already uses.
PETREL_QEMU_MIN=1:10.0

# petrel_qemu_ok: the installed qemu-system-arm is QEMU 10 or later.
petrel_qemu_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' qemu-system-arm 2>/dev/null) || return 1
  [ -n "$v" ] && dpkg --compare-versions "$v" ge "$PETREL_QEMU_MIN"
}

# petrel_debian_codename: bookworm, trixie, ... (/etc/os-release).
petrel_debian_codename() { (. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}"); }

# petrel_mirror: the first non-security Debian archive the apt sources name.
petrel_mirror() {
  ({ cat /etc/apt/sources.list.d/*.sources 2>/dev/null; } | awk '/^URIs:/ { print $2 }'
   { cat /etc/apt/sources.list 2>/dev/null; } | sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\).*/\2/p') |
    grep -v security | head -1
}

# petrel_install_qemu: QEMU 10 (as root). On Debian 12, adds bookworm-backports
# to the apt sources (/etc/apt/sources.list.d/petrel-backports.sources, once)
# and installs qemu-system-arm from it; elsewhere the release's own.
petrel_install_qemu() {
  local mirror list=/etc/apt/sources.list.d/petrel-backports.sources from=()
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(petrel_debian_codename)" = bookworm ]; then
    from=(-t bookworm-backports)
    if ! grep -qs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*; then
      mirror=$(petrel_mirror)
      [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
      echo "Adding bookworm-backports ($mirror) for QEMU 10: $list"
      printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
        "$mirror" /usr/share/keyrings/debian-archive-keyring.gpg >"$list"
    fi
  fi
  echo "Installing: qemu-system-arm ${from[*]}"
  apt-get update -qq || petrel_die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${from[@]}" qemu-system-arm >/dev/null \
    || petrel_die "apt-get install ${from[*]} qemu-system-arm failed"
  petrel_qemu_ok || petrel_die "qemu-system-arm is $(dpkg-query -W -f='${Version}' qemu-system-arm 2>/dev/null)," \
    "Petrel needs $PETREL_QEMU_MIN or later (Debian 13's, or Debian 12's bookworm-backports)"
}

petrel_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# petrel_missing: the packages of PETREL_PACKAGES that nothing installed provides
# (a package counts as there when it is installed or an installed package
# Provides it, e.g. pkg-config for pkgconf).
petrel_missing() {
  local installed p
  installed=" $(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\n' 2>/dev/null |
    awk '$1 ~ /^.i/ { $1 = ""; print }' | sed -E 's/\([^)]*\)//g; s/,/ /g' | tr -s ' \n' '  ') "
  for p in "${PETREL_PACKAGES[@]}"; do
    [[ $installed == *" $p "* ]] || echo "$p"
  done
}

petrel_setup() {
  local missing
  mapfile -t missing < <(petrel_missing)
  if [ ${#missing[@]} -eq 0 ] && petrel_qemu_ok; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Petrel needs these Debian packages. Install them, then run this again:"
    [ ${#missing[@]} -eq 0 ] || echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
    if ! petrel_qemu_ok; then
      if [ "$(petrel_debian_codename)" = bookworm ]; then
        echo "  and QEMU 10 from bookworm-backports (add bookworm-backports to the apt sources first):"
        echo "  sudo apt-get install -y --no-install-recommends -t bookworm-backports qemu-system-arm"
      else
        echo "  and qemu-system-arm $PETREL_QEMU_MIN or later"
      fi
    fi
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    apt-get update -qq || petrel_die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || petrel_die "apt-get install ${missing[*]} failed"
    mapfile -t missing < <(petrel_missing)
    [ ${#missing[@]} -eq 0 ] || petrel_die "still missing after apt-get install: ${missing[*]}"
  fi
  petrel_qemu_ok || petrel_install_qemu
}

# petrel_board_fact PLATFORM NAME: a fact of platform/PLATFORM/board.toml as the
# build reads it (platform/boards.py meson: NAME, then its values, tab-separated);
# fails for a platform with no board file.
petrel_board_fact() {
  local facts
  facts=$(python3 "$PETREL_ROOT/platform/boards.py" meson "$PETREL_ROOT/platform/$1/board.toml" 2>/dev/null) || return 1
  awk -F'\t' -v k="$2" '$1 == k { sub(/^[^\t]*\t?/, ""); print }' <<<"$facts"
}

# petrel_card_board PLATFORM: the board's card carries U-Boot, its device tree and
# the Pi firmware (board.toml [uboot] config), which scripts/fetch-rpi fetches.
petrel_card_board() { [ -n "$(petrel_board_fact "$1" uboot_config)" ]; }

# petrel_configure DIR PLATFORM [MESON-OPTION...]: set up the build directory DIR
# for PLATFORM once; a directory configured for another platform (or whose
# option Meson dropped, as when -Dplatform changed from a choice to a string) is
# configured again rather than built for the wrong board.
petrel_configure() {
  local dir=$1 platform=$2 have=
  shift 2
  if [ -f "$dir/build.ninja" ]; then
    # Regenerate first if meson.build or the options changed since: the stored
    # options are only read after Meson has had its say (it drops a value whose
    # option changed type, and would otherwise do so during the build).
    ninja -C "$dir" build.ninja >/dev/null 2>&1 || true
    have=$(python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "platform"), ""))' \
      "$dir/meson-info/intro-buildoptions.json" 2>/dev/null) || have=
    [ "$have" = "$platform" ] && return 0
    meson setup --reconfigure "$dir" "$PETREL_ROOT" "-Dplatform=$platform" "$@" >"$dir.setup.log" 2>&1 \
      || { cat "$dir.setup.log"; petrel_die "meson setup --reconfigure of $dir for $platform failed"; }
    return 0
  fi
  meson setup "$dir" "$PETREL_ROOT" --cross-file "$PETREL_ROOT/arch/arm/toolchain.ini" \
    "-Dplatform=$platform" "$@" >"$dir.setup.log" 2>&1 \
    || { cat "$dir.setup.log"; petrel_die "meson setup for $platform failed"; }
}

# petrel_build PLATFORM [TARGET...]: configure (once) and build build/PLATFORM:
# Meson's default targets, and each TARGET (a path under build/PLATFORM, e.g.
# scripts/petrel-disk.img) whether or not this Meson builds it by default.
# PLATFORM-smp is PLATFORM's kernel of several cores in build/PLATFORM-smp:
# -Dcores=$PETREL_SMP_CORES (default 4), set again when the directory has others.
petrel_build() {
  local platform=$1 dir="$PETREL_ROOT/build/$1" opts=() cores=
  shift
  if [[ $platform == *-smp ]]; then
    platform=${platform%-smp}
    cores=${PETREL_SMP_CORES:-4}
    opts+=("-Dcores=$cores")
  fi
  mkdir -p "$PETREL_ROOT/build"
  if petrel_card_board "$platform"; then
    "$PETREL_ROOT/scripts/fetch-rpi" || petrel_die "could not fetch the Raspberry Pi files"
    opts+=("-Drpi_files=$PETREL_CACHE/rpi")
  fi
  petrel_configure "$dir" "$platform" "${opts[@]}"
  if [ -n "$cores" ]; then
    local have
    have=$(python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "cores"), ""))' \
      "$dir/meson-info/intro-buildoptions.json" 2>/dev/null) || have=
    [ "$have" = "$cores" ] || meson configure "$dir" "-Dcores=$cores" >/dev/null \
      || petrel_die "meson configure -Dcores=$cores of $dir failed"
  fi
  ninja -C "$dir" all "$@" >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; petrel_die "build for $platform failed"; }
}
