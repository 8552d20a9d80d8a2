#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# mkbootscr.py: make boot.scr (a U-Boot script image) from boot.cmd.in for a platform.
"""Fill in boot.cmd.in and compile it with mkimage into a U-Boot script image.

    mkbootscr.py --kernel 0x40100000 --fdt '${fdtcontroladdr}' --out boot.scr

The values come from the board's platform/<board>/board.toml (load_phys, [uboot]
fdt): the build passes them.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# @KERNEL@: the kernel's load address (petrel.uimg's header says the same); the script loads
# petrel.uimg just above where the kernel goes, at an address it computes from the file's size.
# @FDT@: the device tree for the kernel. On QEMU virt U-Boot's own copy of QEMU's DTB
# (fdtcontroladdr); on the Pi the one the firmware (or QEMU) passed to U-Boot (fdt_addr).


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True, help="the kernel's load address, e.g. 0x40100000 (@KERNEL@)")
    ap.add_argument("--fdt", required=True, help="U-Boot expression for the device tree address (@FDT@)")
    ap.add_argument("--template", default=os.path.join(HERE, "boot.cmd.in"))
    ap.add_argument("--out", required=True, help="script image to write, e.g. boot.scr")
    ap.add_argument("--cmd-out", help="also keep the filled-in script text here")
    args = ap.parse_args()

    kernel, fdt = args.kernel, args.fdt

    with open(args.template) as f:
        text = f.read().replace("@KERNEL@", kernel).replace("@FDT@", fdt)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        sys.exit(f"mkbootscr.py: unknown placeholder(s) in {args.template}: {leftover}")

    with tempfile.TemporaryDirectory(prefix="petrel-bootscr.") as tmp:
        cmd = args.cmd_out or os.path.join(tmp, "boot.cmd")
        with open(cmd, "w") as f:
            f.write(text)
        res = subprocess.run(["mkimage", "-A", "arm", "-O", "linux", "-T", "script", "-C", "none",
                              "-n", "Petrel boot script", "-d", cmd, args.out],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if res.returncode != 0:
            sys.exit(f"mkbootscr.py: mkimage failed:\n{res.stdout.strip()}")


if __name__ == "__main__":
    main()
