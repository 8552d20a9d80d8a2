#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# uimage.py: a kernel ELF -> its flat binary -> a U-Boot legacy image (uImage), as Petrel's own images are made.
"""uimage.py --objcopy OBJCOPY --mkimage MKIMAGE --load ADDR --name NAME KERNEL.elf OUT.uimg

The flat binary (objcopy -O binary) is loaded and entered at ADDR (the
board's load_phys), as arch/arm/meson.build makes petrel.uimg.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--objcopy', required=True)
    ap.add_argument('--mkimage', required=True)
    ap.add_argument('--load', required=True)
    ap.add_argument('--name', required=True)
    ap.add_argument('elf')
    ap.add_argument('out')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        binary = os.path.join(d, 'kernel.bin')
        for cmd in ([a.objcopy, '-O', 'binary', a.elf, binary],
                    [a.mkimage, '-q', '-A', 'arm', '-O', 'linux', '-T', 'kernel', '-C', 'none', '-a', a.load,
                     '-e', a.load, '-n', a.name, '-d', binary, a.out]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode:
                sys.exit('%s failed:\n%s%s' % (' '.join(cmd), r.stdout, r.stderr))


if __name__ == '__main__':
    main()
