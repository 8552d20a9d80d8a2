#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# rpi-trampoline.py: wrap the Pi's U-Boot in a raw image that QEMU raspi2b boots as -kernel.
"""Write U-Boot between a branch and a copy loop that moves it to 0x8000 and enters it.

QEMU raspi2b cannot start Debian's rpi_2 U-Boot itself: it is linked at 0x8000, and all four
cores would run it. Given a raw image as -kernel, QEMU loads it at 0x10000, parks the
secondary cores, and enters it on core 0 Linux-style with r0 = 0, r1 = the board id and
r2 = the DTB address (from -dtb). The image is

    word 0        b tail
    word 1 ...    U-Boot, padded to a whole word
    tail          copy U-Boot down to 0x8000, then bx 0x8000 (r0-r2 untouched)
    last word     U-Boot's padded length

The copy loop sits after U-Boot on purpose. U-Boot is far larger than the 32 KiB between
0x8000 and 0x10000, so the copy overwrites the start of the image; a loop placed there
overwrote itself part-way and entered a half-copied U-Boot that printed nothing. The tail
lies at 0x10004 + length, above the copy's last byte at 0x8000 + length, and the source stays
0x8004 bytes ahead of the destination, so a forward copy reads every word before it is
overwritten. U-Boot then finds the DTB in r2 as it would from the Pi firmware.
"""

import argparse
import struct

UBOOT_ADDR = 0x8000
# The tail, ARM instructions; it uses r3-r7 only.
TAIL = [
    0xE59F4020,  # tail+0:  ldr   r4, [pc, #32]    @ r4 = payload bytes (the word at tail+40)
    0xE04F3004,  # tail+4:  sub   r3, pc, r4       @ r3 = tail + 12 - length
    0xE243300C,  # tail+8:  sub   r3, r3, #12      @ r3 = payload (tail - length)
    0xE3A05C80,  # tail+12: mov   r5, #0x8000      @ U-Boot's link address
    0xE1A06005,  # tail+16: mov   r6, r5
    0xE4937004,  # tail+20: 1: ldr r7, [r3], #4
    0xE4867004,  # tail+24:    str r7, [r6], #4
    0xE2544004,  # tail+28:    subs r4, r4, #4
    0x1AFFFFFB,  # tail+32:    bne 1b
    0xE12FFF15,  # tail+36: bx    r5
]


def image(uboot):
    """The branch, U-Boot padded to a whole word, the copy loop and the payload's length."""
    if not uboot:
        raise ValueError("U-Boot is empty")
    payload = uboot + b"\0" * (-len(uboot) % 4)
    # b tail, at offset 0: the target is 4 + len(payload), the PC reads as 8.
    branch = 0xEA000000 | (((len(payload) - 4) // 4) & 0xFFFFFF)
    if len(payload) >= 1 << 25:
        raise ValueError("U-Boot is too large for one branch (32 MiB)")
    return (struct.pack("<I", branch) + payload + struct.pack(f"<{len(TAIL)}I", *TAIL)
            + struct.pack("<I", len(payload)))


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
