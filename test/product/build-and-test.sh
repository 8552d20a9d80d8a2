#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# build-and-test.sh PETREL_SOURCE WORK_DIR PLATFORM [RPI_FILES]: Petrel's test of embedding it in a product.
#
# Does what a product's developer does: a product tree of its own (a copy of
# test/product) with Petrel as its subproject (subprojects/petrel, here a link
# to this tree), configured with Petrel's cross file, built, and its own tests
# run (meson test: the product boots in QEMU through U-Boot).
set -euo pipefail
src=$(cd "$1" && pwd) work=$2 platform=$3 rpi_files=${4:-}
rm -rf "$work"
mkdir -p "$work/product/subprojects"
cp -r "$src/test/product/." "$work/product/"
rm -f "$work/product/build-and-test.sh"
ln -s "$src" "$work/product/subprojects/petrel"
cd "$work/product"
meson setup "$work/build" . --cross-file subprojects/petrel/arch/arm/toolchain.ini \
  -Dplatform="$platform" -Drpi_files="$rpi_files"
meson compile -C "$work/build"
if ! meson test -C "$work/build" --list 2>/dev/null | grep -q product-boots-through-uboot; then
  echo "the product has no boot test on $platform (no U-Boot, or no -Drpi_files for a Pi): skipped" >&2
  exit 77
fi
meson test -C "$work/build" --print-errorlogs
