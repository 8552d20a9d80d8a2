# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system.elf: an app's ELF file, its PT_LOAD segments, and what makes it unfit to load.

Contract: read_elf(path) gives an Elf (file size, entry point, the non-empty
PT_LOAD segments in program-header order) or raises ElfError with a phrase
saying why it is not a 32-bit little-endian ARM executable. elf_problems(elf)
lists, each as a phrase, what keeps the root task from loading it as an app:
a segment outside the image window (layout.IMAGE_WINDOW, apps/lib/user.ld) or
not page aligned, file bytes beyond memsz or beyond the file, a segment both
writable and executable, a page shared by two segments, an entry point in no
executable segment. An empty list: fit. Segment.pages() are the pages the
segment covers, one frame each of the app's memory budget.
"""
from __future__ import annotations

import struct

from .layout import IMAGE_WINDOW, PAGE, page_down, page_up, range_text

# ELF program header flags.
PF_X, PF_W, PF_R = 1, 2, 4


class ElfError(Exception):
    pass


class Segment:
    """One PT_LOAD segment of an ELF file."""

    def __init__(self, index, offset, vaddr, filesz, memsz, flags):
        self.index, self.offset, self.vaddr = index, offset, vaddr
        self.filesz, self.memsz, self.flags = filesz, memsz, flags

    @property
    def end(self) -> int:
        return self.vaddr + self.memsz

    def pages(self) -> range:
        """The pages it covers (loading it takes one frame each)."""
        if not self.memsz:
            return range(0)
        return range(page_down(self.vaddr), page_up(self.end), PAGE)

    def text(self) -> str:
        """'segment 0x00010000-0x00012fff (R X)', as readelf shows the flags."""
        perms = ''.join(c if self.flags & bit else ' ' for c, bit in (('R', PF_R), ('W', PF_W), ('X', PF_X)))
        where = range_text(self.vaddr, self.end) if self.memsz else 'at 0x%08x' % self.vaddr
        return 'segment %s (%s)' % (where, perms.rstrip() or 'no access')


class Elf:
    def __init__(self, size: int, entry: int, segments: list[Segment]):
        self.size, self.entry, self.segments = size, entry, segments


def read_elf(path: str) -> Elf:
    """The file's entry point and PT_LOAD segments (empty ones left out); ElfError if
    it is not a 32-bit little-endian ARM executable."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise ElfError('cannot read it: %s' % (e.strerror or e))
    if len(data) < 52 or data[:4] != b'\x7fELF':
        raise ElfError('not an ELF file')
    if data[4] != 1 or data[5] != 1:
        raise ElfError('not a 32-bit little-endian ELF file')
    e_type, e_machine = struct.unpack_from('<HH', data, 16)
    if e_machine != 40:
        raise ElfError('not an ARM ELF file (machine %d)' % e_machine)
    if e_type != 2:
        raise ElfError('not an executable (ELF type %d)' % e_type)
    e_entry, e_phoff = struct.unpack_from('<II', data, 24)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 42)
    if e_phnum and (e_phentsize < 32 or e_phoff + e_phnum * e_phentsize > len(data)):
        raise ElfError('truncated program headers')
    segs = []
    for i in range(e_phnum):
        p_type, p_offset, p_vaddr, _paddr, p_filesz, p_memsz, p_flags, _align = \
            struct.unpack_from('<8I', data, e_phoff + i * e_phentsize)
        if p_type == 1 and (p_memsz or p_filesz):
            segs.append(Segment(i, p_offset, p_vaddr, p_filesz, p_memsz, p_flags))
    if not segs:
        raise ElfError('no PT_LOAD segment')
    return Elf(len(data), e_entry, segs)


def elf_problems(elf: Elf) -> list[str]:
    """What makes the ELF file unfit to be loaded as an app, each as a phrase."""
    out = []
    for s in elf.segments:
        if s.vaddr < IMAGE_WINDOW[0] or s.end > IMAGE_WINDOW[1]:
            out.append('%s is outside the image window %s (apps/lib/user.ld)'
                       % (s.text(), range_text(*IMAGE_WINDOW)))
        if s.vaddr % PAGE:
            out.append('%s does not start on a page (0x%08x is not page aligned)' % (s.text(), s.vaddr))
        if s.filesz > s.memsz:
            out.append('%s holds 0x%x bytes of the file, more than its 0x%x in memory (filesz > memsz)'
                       % (s.text(), s.filesz, s.memsz))
        if s.filesz and s.offset + s.filesz > elf.size:
            out.append('%s: its file bytes 0x%x-0x%x lie outside the file (%d bytes)'
                       % (s.text(), s.offset, s.offset + s.filesz - 1, elf.size))
        if s.flags & PF_W and s.flags & PF_X:
            out.append('%s is both writable and executable (W^X: a page is one or the other)' % s.text())
    owner: dict[int, Segment] = {}
    for s in elf.segments:
        for page in s.pages():
            other = owner.setdefault(page, s)
            if other is not s:
                out.append('%s and %s share the page at 0x%08x (a page has one set of permissions)'
                           % (other.text(), s.text(), page))
                break
    if not any(s.flags & PF_X and s.vaddr <= elf.entry < s.end for s in elf.segments):
        out.append('its entry point 0x%08x is not in an executable segment' % elf.entry)
    return out
