#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# damage.py: make a corrupted or truncated copy of a U-Boot image, for the bad-image boot tests.
"""damage.py flip|truncate|cut-N IN OUT

flip:     invert one byte in the middle of the payload (header intact, data CRC wrong)
truncate: keep the header and half of the payload (the header's size no longer matches)
cut-N:    drop the last N bytes (N >= 1): what the checksum alone can miss, when the
          memory past the loaded file happens to hold the missing bytes
"""
import sys

HEADER = 64  # legacy uImage header


def main():
    kind = sys.argv[1] if len(sys.argv) == 4 else ""
    cut = int(kind[4:]) if kind.startswith("cut-") and kind[4:].isdigit() else 0
    if kind not in ("flip", "truncate") and cut < 1:
        sys.exit(__doc__)
    data = bytearray(open(sys.argv[2], "rb").read())
    if len(data) <= HEADER + 2 + cut:
        sys.exit("damage.py: input too small to be a uImage")
    if kind == "flip":
        at = HEADER + (len(data) - HEADER) // 2
        data[at] ^= 0xFF
    elif cut:
        data = data[:-cut]
    else:
        data = data[: HEADER + (len(data) - HEADER) // 2]
    open(sys.argv[3], "wb").write(data)


if __name__ == "__main__":
    main()
