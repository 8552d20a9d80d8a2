# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system.platforms: the platforms a system can be described for, from the board files.

Contract: load() returns, by platform name in sorted order (the --platform
choices), what the checks need to know of each board, as platform/boards.py's
Board.tool_facts() gives it: irq_lines, irq_usable(line), irq_usable_text,
timer_irqs, trigger_from (None: the trigger cannot be set), user_devices
((base, size) of the device memory the root task gets as device Untyped) and
named (by key, 'line' or 'paddr', the board facts a description may name:
'console-uart', 'virtual-timer'). It
reads platform/<board>/board.toml through boards.py (imported from the
platform directory, not copied) once per process, and raises BoardError, with
boards.py's `FILE: key: what is wrong` message, for a bad board file.
"""
from __future__ import annotations

import functools
import os
import sys

# scripts/../platform: the same path, and so the same board error messages, as
# when this was part of scripts/petrel-system.py.
PLATFORM_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.pardir, 'platform')
sys.path.insert(0, PLATFORM_DIR)
import boards  # noqa: E402
del sys.path[0]

BoardError = boards.BoardError


@functools.cache
def load() -> dict[str, dict]:
    """Every board's facts for the checks, by name (sorted); BoardError for a bad board file."""
    return {name: b.tool_facts() for name, b in boards.load_all(PLATFORM_DIR).items()}
