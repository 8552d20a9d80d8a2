#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# rpi-trampoline.py: write the one-instruction raw image that lets QEMU raspi2b start U-Boot at 0x8000.
"""Write a tiny raw ARM image that jumps to 0x8000.

QEMU raspi2b cannot start Debian's rpi_2 U-Boot itself (it is linked at 0x8000 and all four
cores would run it). Instead U-Boot is put at 0x8000 with
`-device loader,file=u-boot.bin,addr=0x8000` and this image is given as `-kernel`: QEMU loads
a raw kernel at 0x10000, parks the secondary cores, and enters it on core 0 Linux-style with
r0 = 0, r1 = the board id and r2 = the DTB address (from -dtb). The single instruction
`mov pc, #0x8000` leaves r0-r2 untouched, so U-Boot finds the DTB in r2 as it would from the
Pi firmware.
"""

import argparse
import struct

MOV_PC_0x8000 = 0xE3A0FC80      # mov pc, #0x8000 (ARM; imm8 0x80 rotated right by 24)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="raw image to write, e.g. trampoline.bin")
    args = ap.parse_args()
    with open(args.out, "wb") as f:
        f.write(struct.pack("<I", MOV_PC_0x8000))


if __name__ == "__main__":
    main()
