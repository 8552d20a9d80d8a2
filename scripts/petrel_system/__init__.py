# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system: the system-description tool, whose command is scripts/petrel-system.py.

A system description (TOML) lists a system's apps, channels, shared memory,
interrupt lines, devices and fault handlers; the tool checks it and writes
what the build needs from it. The modules, each importable on its own (with
scripts/ on sys.path; they find platform/boards.py themselves):
  layout     the app address space, object sizes and limits shared with the C++ side
  platforms  the platforms' facts, read from platform/<board>/board.toml by boards.py
  reader     file to text, text to TOML data, and the Locator giving each thing's line
  elf        an app's ELF file: its PT_LOAD segments and what makes it unfit to load
  model      the checked system (System, App, Region) the emitters read
  checks     every check of a description (Checker), building the model
  emitters   the C++ tables, the packed images' source, the Graphviz picture
  command    check, emit, draw and pack, once the command line is parsed
Python 3.11 or later (tomllib), standard library only.
"""
