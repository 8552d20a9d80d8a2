#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# mkdisk.py: build a raw MBR disk image with one bootable FAT partition holding the given files.
"""Build a raw disk image for QEMU (virtio disk or SD card) or a real SD card.

    mkdisk.py --out disk.img [--size-mib N] [--label NAME] NAME=PATH ...

The image has an MBR with one primary, bootable FAT partition starting at 1 MiB and
filling the rest of the disk: FAT16 (type 0x0e, FAT16 LBA) on disks below 512 MiB, FAT32
(type 0x0c, FAT32 LBA) from there on. Each PATH is copied to NAME in the partition (NAME may
contain '/' for sub-directories). The total size is a power of two, as QEMU's SD card
needs. Uses mkfs.vfat and mcopy on a separate partition file: no root, no loop devices.
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
PART_START = 1 << 20            # partition starts at 1 MiB
FAT32_FROM = 512 << 20          # disks this big or bigger get FAT32
DEFAULT_MIB = 64


def chs(lba):
    """CHS triple of an LBA for the MBR, with the usual 255-head/63-sector geometry."""
    heads, sectors = 255, 63
    cyl = lba // (heads * sectors)
    if cyl > 1023:
        return bytes((254, 0xFF, 0xFF))         # beyond CHS: the conventional maximum
    head = (lba // sectors) % heads
    sec = lba % sectors + 1
    return bytes((head, ((cyl >> 2) & 0xC0) | sec, cyl & 0xFF))


def mbr(disk_bytes, part_type):
    """A 512-byte MBR with one bootable partition from PART_START to the end of the disk."""
    first = PART_START // SECTOR
    count = disk_bytes // SECTOR - first
    entry = (b"\x80" + chs(first) + bytes((part_type,)) + chs(first + count - 1)
             + struct.pack("<II", first, count))
    sector = bytearray(SECTOR)
    sector[440:444] = struct.pack("<I", 0x50455452)   # disk signature "PETR"
    sector[446:446 + 16] = entry
    sector[510:512] = b"\x55\xaa"
    return bytes(sector)


def run(cmd, env=None):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if res.returncode != 0:
        sys.exit(f"mkdisk.py: {' '.join(cmd)} failed:\n{res.stdout.strip()}")


def parse_file(arg):
    name, sep, path = arg.partition("=")
    name = name.strip("/")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {arg!r}")
    if not os.path.isfile(path):
        raise argparse.ArgumentTypeError(f"{path}: no such file")
    return name, path


def default_size_mib(files):
    """The smallest power of two >= DEFAULT_MIB MiB that holds the files with room to spare."""
    need = PART_START + sum(os.path.getsize(p) for _, p in files) * 5 // 4 + (4 << 20)
    mib = DEFAULT_MIB
    while mib << 20 < need:
        mib *= 2
    return mib


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="disk image to write")
    ap.add_argument("--size-mib", type=int,
                    help=f"total size in MiB, a power of two (default {DEFAULT_MIB}, more if needed)")
    ap.add_argument("--label", default="PETREL", help="FAT volume label (default PETREL)")
    ap.add_argument("files", nargs="+", type=parse_file, metavar="NAME=PATH")
    args = ap.parse_args()

    mib = args.size_mib or default_size_mib(args.files)
    if mib < 16 or mib & (mib - 1):
        sys.exit(f"mkdisk.py: --size-mib {mib}: must be a power of two, at least 16")
    disk_bytes = mib << 20
    part_bytes = disk_bytes - PART_START
    fat32 = disk_bytes >= FAT32_FROM
    part_type = 0x0C if fat32 else 0x0E

    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    with tempfile.TemporaryDirectory(prefix="petrel-mkdisk.") as tmp:
        part = os.path.join(tmp, "part.img")
        with open(part, "wb") as f:
            f.truncate(part_bytes)
        # -h: sectors before the partition (hidden sectors); -i: a fixed volume id
        run(["mkfs.vfat", "-F", "32" if fat32 else "16", "-S", str(SECTOR),
             "-h", str(PART_START // SECTOR), "-i", "50455452",
             "-n", args.label[:11].upper(), part], env)
        made = set()
        for name, path in args.files:
            parts = name.split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in made:
                    run(["mmd", "-i", part, "-D", "s", "::" + d], env)
                    made.add(d)
            run(["mcopy", "-i", part, "-o", path, "::" + name], env)

        tmp_out = args.out + ".tmp"
        with open(tmp_out, "wb") as out, open(part, "rb") as src:
            out.write(mbr(disk_bytes, part_type))
            out.truncate(disk_bytes)                  # all zero, sparse where possible
            out.seek(PART_START)
            zero = bytes(1 << 16)
            while chunk := src.read(len(zero)):
                if chunk == zero[:len(chunk)]:
                    out.seek(len(chunk), os.SEEK_CUR)   # keep zero runs sparse
                else:
                    out.write(chunk)
        os.replace(tmp_out, args.out)

    print(f"mkdisk.py: {args.out}: {mib} MiB, FAT{32 if fat32 else 16} partition "
          f"(type 0x{part_type:02x}) at 1 MiB, {len(args.files)} file(s)")


if __name__ == "__main__":
    main()
