# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system.model: the checked system, what the checks build and the emitters read.

Contract: plain records, no behaviour beyond App.label. checks.Checker fills a
System as it reads a description, leaving None where a value was missing or
bad; when it reported no error, every value is set (only an irq's trigger may
be None, as said below) and the emitters may rely on it.
System.apps are App in file order (App.index their position); images the
distinct ELF names in order of first use. The other tables are lists of dicts
in file order, each with 'index' (its position) and 'path' (its Locator path):
  channels  name, kind ('endpoint' or 'notification'), server (App),
            clients: [{app (App), badge, path}]
  shared    name, size, owner (the first mapping App), maps: [{app, vaddr, writable, path}]
  irqs      app, line, badge, trigger (None: leave it, 'level' or 'edge')
  devices   name, app, paddr, size, vaddr
"""
from __future__ import annotations


class Region:
    """A range of an app's virtual address space, for the overlap check."""

    def __init__(self, lo, hi, what, path):
        self.lo, self.hi, self.what, self.path = lo, hi, what, path


class App:
    def __init__(self, index, path):
        self.index = index
        self.path = path
        self.name = None
        self.elf = None
        self.priority = None
        self.core = 0                        # the core its thread runs on (0..cores - 1)
        self.stack = 16384
        self.memory = None
        self.fault_handler = 'root'
        self.restart = False
        self.stack_ok = True
        self.image_pages: int | None = None  # pages its ELF's segments cover, when given and good
        self.regions: list[Region] = []      # shared-region mappings, then devices, in file order
        self.needs = 0                       # bytes of its memory budget it needs (check_budgets)
        self.parts: dict[str, int] = {}      # what they are
        self.irq_count = 0                   # its [[irq]] lines
        self.cap_slots = 0                   # slots its CNode needs (petrel/system.hpp's order)
        self.cnode_radix = 7                 # its CNode's radix: layout.cnode_radix(cap_slots)
        self.mapped_pages = 0                # pages of shared regions and devices mapped into it
        self.root_slots = 0                  # the root task's slots for its objects and mappings

    @property
    def label(self):
        return "app '%s'" % self.name if self.name else 'app #%d' % (self.index + 1)


class System:
    def __init__(self):
        self.name = None
        self.apps: list[App] = []
        self.channels: list[dict] = []
        self.shared: list[dict] = []
        self.irqs: list[dict] = []
        self.devices: list[dict] = []
        self.images: list[str] = []  # distinct ELF names, in order of first use
        self.image_index: dict[str, int] = {}  # their positions

