#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# rpi-trampoline.py: wrap the Pi's U-Boot in a raw image that QEMU raspi2b boots as -kernel.
"""Write U-Boot behind a 40-byte stub that copies it to 0x8000 and enters it.

QEMU raspi2b cannot start Debian's rpi_2 U-Boot itself: it is linked at 0x8000, and all four
cores would run it. Given a raw image as -kernel, QEMU loads it at 0x10000, parks the
secondary cores, and enters it on core 0 Linux-style with r0 = 0, r1 = the board id and
r2 = the DTB address (from -dtb). The stub copies the U-Boot that follows it down to
0x8000 (destination below source: a forward copy is safe although they overlap), then
jumps there with r0-r2 untouched, so U-Boot finds the DTB in r2 as it would from the Pi
firmware.

One image, not U-Boot loaded at 0x8000 beside a one-word image at 0x10000: U-Boot is larger
than 32 KiB, so the two overlapped, and which bytes won depended on QEMU's version (7.2 kept
the stub's, 10 keeps U-Boot's, and the board then never starts).
"""

import argparse
import struct

UBOOT_ADDR = 0x8000
# ARM instructions; the copy uses r3-r7 only. The payload starts at byte 40.
STUB = [
    0xE28F3020,  # 0:  add   r3, pc, #32       @ r3 = payload (pc reads as 8)
    0xE59F4018,  # 4:  ldr   r4, [pc, #24]     @ r4 = payload bytes (the word at 36)
    0xE3A05C80,  # 8:  mov   r5, #0x8000       @ U-Boot's link address
    0xE1A06005,  # 12: mov   r6, r5
    0xE4937004,  # 16: 1: ldr r7, [r3], #4
    0xE4867004,  # 20:    str r7, [r6], #4
    0xE2544004,  # 24:    subs r4, r4, #4
    0x1AFFFFFB,  # 28:    bne 1b
    0xE12FFF15,  # 32: bx    r5
]
STUB_BYTES = 4 * len(STUB) + 4  # and the length word


def image(uboot):
    """The stub, the payload's length and U-Boot padded to a whole word."""
    if not uboot:
        raise ValueError("U-Boot is empty")
    payload = uboot + b"\0" * (-len(uboot) % 4)
    return struct.pack(f"<{len(STUB)}I", *STUB) + struct.pack("<I", len(payload)) + payload


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uboot", required=True, help="the Pi's u-boot.bin (linked at 0x8000)")
    ap.add_argument("--out", required=True, help="raw image to write, e.g. rpi-uboot.bin")
    args = ap.parse_args()
    with open(args.uboot, "rb") as f:
        data = image(f.read())
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
