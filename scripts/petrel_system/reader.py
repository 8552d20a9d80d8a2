# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system.reader: a description's file to its TOML data, keeping where each thing is.

Contract: read_text(path) gives the file's text, or raises ReadError (cannot
read it, or not UTF-8: at the first bad byte's line). parse(text) gives
tomllib's data and a Locator of the same text, or raises ReadError at the
line tomllib names for a syntax error ('TOML syntax: ...'). A Locator answers
line(path): the line of a table, key or array element named by its path, the
path the checks use: ('app', 2, 'priority') is the priority key of the third
[[app]], ('channel', 0, 'clients', 1) the second client of the first channel;
for a path it has no line for, that of the nearest enclosing one, else 1.
"""
from __future__ import annotations

import bisect
import re
import tomllib


class ReadError(Exception):
    """Why a description cannot be read: `message`, at `line` (None: the file as a whole)."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message

    def text(self, filename: str) -> str:
        """'FILE:LINE: message', or 'FILE: message' without a line."""
        if self.line is None:
            return '%s: %s' % (filename, self.message)
        return '%s:%d: %s' % (filename, self.line, self.message)


def read_text(path: str) -> str:
    """The file's text (UTF-8); ReadError when it cannot be read or is not UTF-8."""
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as e:
        raise ReadError(None, 'cannot read: %s' % (e.strerror or e))
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise ReadError(raw[:e.start].count(b'\n') + 1, 'not UTF-8 text')


def parse(text: str) -> tuple[dict, Locator]:
    """The TOML data and its Locator; ReadError at its line for a TOML syntax error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r'\(at line (\d+), column \d+\)', str(e))
        line = int(m.group(1)) if m else 1
        msg = re.sub(r'\s*\(at line \d+, column \d+\)', '', str(e))
        raise ReadError(line, 'TOML syntax: %s' % msg)
    return data, Locator(text)


# Locator: tomllib gives no line numbers, so the source is scanned again for
# them. Every table, key and array element gets a path (see above). The
# scanner assumes the text is valid TOML (tomllib read it first).

class Locator:
    def __init__(self, text: str):
        self.text = text
        self.lines: dict[tuple, int] = {}
        self._starts = [0] + [m.end() for m in re.finditer(r'\n', text)]
        self._aot: dict[tuple, int] = {}  # array-of-tables path -> last index
        self._scan()

    def line(self, path) -> int:
        """The line of `path`, or of its nearest enclosing table or key that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    # -- scanning
    def _line_at(self, pos: int) -> int:
        return bisect.bisect_right(self._starts, pos)

    def _note(self, path: tuple, pos: int) -> None:
        self.lines.setdefault(path, self._line_at(pos))

    def _skip(self, pos: int, newlines: bool = True) -> int:
        t = self.text
        while pos < len(t):
            c = t[pos]
            if c in ' \t\r' or (newlines and c == '\n'):
                pos += 1
            elif c == '#':
                while pos < len(t) and t[pos] != '\n':
                    pos += 1
            else:
                break
        return pos

    def _string(self, pos: int) -> tuple[str, int]:
        t = self.text
        for quote in ('"""', "'''"):
            if t.startswith(quote, pos):
                i = pos + 3
                while i < len(t):
                    if quote == '"""' and t[i] == '\\':
                        i += 2
                        continue
                    if t.startswith(quote, i):
                        end = i + 3
                        while end < len(t) and t[end] == quote[0] and end - i < 5:
                            end += 1  # up to two quotes may end the content
                        return t[pos + 3:end - 3], end
                    i += 1
                return t[pos + 3:], len(t)
        q = t[pos]
        i = pos + 1
        out = []
        while i < len(t) and t[i] != q:
            if q == '"' and t[i] == '\\':
                out.append(t[i:i + 2])
                i += 2
                continue
            out.append(t[i])
            i += 1
        raw = ''.join(out)
        if q == '"' and '\\' in raw:  # escapes: let tomllib read them
            try:
                raw = tomllib.loads('k = "%s"' % raw)['k']
            except tomllib.TOMLDecodeError:
                pass
        return raw, i + 1

    def _key(self, pos: int) -> tuple[tuple, int]:
        t = self.text
        keys = []
        while True:
            pos = self._skip(pos, newlines=False)
            if pos < len(t) and t[pos] in '"\'':
                k, pos = self._string(pos)
            else:
                m = re.compile(r'[A-Za-z0-9_-]+').match(t, pos)
                if not m:
                    break
                k, pos = m.group(0), m.end()
            keys.append(k)
            pos = self._skip(pos, newlines=False)
            if pos < len(t) and t[pos] == '.':
                pos += 1
                continue
            break
        return tuple(keys), pos

    def _resolve(self, keys: tuple) -> tuple:
        out: tuple = ()
        for k in keys:
            out += (k,)
            if out in self._aot:
                out += (self._aot[out],)
        return out

    def _scan(self) -> None:
        t = self.text
        pos = 0
        current: tuple = ()
        while True:
            pos = self._skip(pos)
            if pos >= len(t):
                return
            start = pos
            if t.startswith('[[', pos):
                keys, pos = self._key(pos + 2)
                pos = t.find(']]', pos) + 2 if t.find(']]', pos) >= 0 else len(t)
                parent = self._resolve(keys[:-1])
                aot = parent + keys[-1:]
                self._aot[aot] = self._aot.get(aot, -1) + 1
                self._note(aot, start)
                current = aot + (self._aot[aot],)
                self._note(current, start)
            elif t[pos] == '[':
                keys, pos = self._key(pos + 1)
                pos = t.find(']', pos) + 1 if t.find(']', pos) >= 0 else len(t)
                current = self._resolve(keys)
                self._note(current, start)
            else:
                keys, pos = self._key(pos)
                if not keys:  # not TOML after all: skip the line
                    nl = t.find('\n', pos)
                    pos = len(t) if nl < 0 else nl + 1
                    continue
                path = current + keys
                self._note(path, start)
                pos = self._skip(pos, newlines=False)
                if pos < len(t) and t[pos] == '=':
                    pos = self._value(self._skip(pos + 1, newlines=False), path)

    def _value(self, pos: int, path: tuple) -> int:
        t = self.text
        if pos >= len(t):
            return pos
        c = t[pos]
        if c in '"\'':
            return self._string(pos)[1]
        if c == '[':
            pos += 1
            i = 0
            while True:
                pos = self._skip(pos)
                if pos >= len(t) or t[pos] == ']':
                    return pos + 1
                if t[pos] == ',':
                    pos += 1
                    continue
                self._note(path + (i,), pos)
                pos = self._value(pos, path + (i,))
                i += 1
        if c == '{':
            pos += 1
            while True:
                pos = self._skip(pos)
                if pos >= len(t) or t[pos] == '}':
                    return pos + 1
                if t[pos] == ',':
                    pos += 1
                    continue
                kstart = pos
                keys, pos = self._key(pos)
                if not keys:
                    return pos + 1
                self._note(path + keys, kstart)
                pos = self._skip(pos)
                if pos < len(t) and t[pos] == '=':
                    pos = self._value(self._skip(pos + 1), path + keys)
        m = re.compile(r'[^,\]}#\n]*').match(t, pos)
        return m.end()
