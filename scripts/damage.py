#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# damage.py: make a corrupted or truncated copy of a U-Boot image, for the bad-image boot tests.
"""damage.py flip|truncate IN OUT

flip:     invert one byte in the middle of the payload (header intact, data CRC wrong)
truncate: keep the header and half of the payload (the header's size no longer matches)
"""
import sys

HEADER = 64  # legacy uImage header


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("flip", "truncate"):
        sys.exit(__doc__)
    data = bytearray(open(sys.argv[2], "rb").read())
    if len(data) <= HEADER + 2:
        sys.exit("damage.py: input too small to be a uImage")
    if sys.argv[1] == "flip":
        at = HEADER + (len(data) - HEADER) // 2
        data[at] ^= 0xFF
    else:
        data = data[: HEADER + (len(data) - HEADER) // 2]
    open(sys.argv[3], "wb").write(data)


if __name__ == "__main__":
    main()
