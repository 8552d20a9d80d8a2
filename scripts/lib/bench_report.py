#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# bench_report.py: scripts/bench's second half: parse, tabulate, write JSON, compare with the baseline.
"""bench_report.py --json FILE --baseline FILE [--update-baseline] -- (PLATFORM STATUS LOG ELF RELEASE_ELF)...

For each platform: STATUS is the exit status of its benchmark run, LOG the
output of `meson test --benchmark -v` holding test/bench/bench.cpp's lines
    bench: <case> min N median N max N runs N  <what>
and irqbench.cpp's (named here as in IRQBENCH)
    irqbench: <what>: min N  median N  max N   [N runs]
ELF the default build's kernel (petrel.elf) and RELEASE_ELF the release
build's. Prints the table (case x platform: median, min, max, and the ratio to
seL4's figure for the cases SEL4 names), the kernel
.text sizes and the performance targets (test/bench/README.md), writes the JSON, and
compares medians and .text sizes with the baseline: more than 5% above it fails. Exit status 0 when
every run succeeded and nothing regressed (or the baseline was updated).

The figures are instruction counts of code a compiler made, so they belong to
that compiler: the JSON names it (e.g. "arm-none-eabi-gcc 12.2.1") and the
baseline holds one set of figures per compiler and major version
("compilers": {"arm-none-eabi-gcc 12": {"platforms": ...}}). A run is compared
with its own compiler's figures only; a compiler with none is reported, not
failed, and --update-baseline records its figures beside the others.
"""

import argparse
import json
import os
import re
import subprocess
import sys

LINE = re.compile(r"^bench: (\S+) +min +(\d+) +median +(\d+) +max +(\d+) +runs +(\d+) *(.*)$")
IRQ_LINE = re.compile(r"^irqbench: (.+?): +min +(\d+) +median +(\d+) +max +(\d+) +\[(\d+) runs\]")
# irqbench's figures (test/bench/irqbench.cpp), as cases of the suite: the target "interrupt to
# user handler" is the first.
IRQBENCH = {
    "interrupt to a thread in Wait on the notification": (
        "irq-user", "interrupt to a thread waiting on the notification (irqbench)"),
    "interrupt to a thread in Recv, notification bound": (
        "irq-user-bound", "interrupt to a thread in Recv with the notification bound (irqbench)"),
    "interrupt to a process of its own, Recv, bound": (
        "irq-user-xas", "the same, the handler a process of its own (irqbench)"),
}
TOLERANCE = 0.05
TEXT_TARGET = 64 * 1024
# seL4's figures for the same cases: sel4bench (ipc, signal, irquser, scheduler,
# fault), seL4 non-MCS release with fastpath, AArch32 on QEMU virt Cortex-A15,
# under QEMU -icount shift=0 and re-counted the way test/bench counts (svc and
# partner loop included); issue 17 of the project's tracker has the table.
SEL4 = {
    "ipc-xas-0w": 343,
    "ipc-xas-4w": 378,
    "ipc-sas-0w": 343,
    "signal-wake": 493,
    "irq-user": 295,
    "fault-rt": 1228,
    "yield": 282,
}
# The performance targets (test/bench/README.md), in instructions under QEMU
# -icount shift=0, on every platform: 0.8 times seL4's figure where it has one.
TARGETS = {c: (int(n * 0.8), f"{c}: 0.8 x seL4's {n:,}") for c, n in SEL4.items()}
TARGETS["null-syscall"] = (40, "null-syscall: null system call")
SHORT = {"qemu-virt": "virt", "rpi2": "rpi2"}


def text_size(elf):
    """The .text section of a kernel ELF (the embedded root task is in .rodata)."""
    if not os.path.isfile(elf):
        return None
    out = subprocess.run(["arm-none-eabi-size", "-A", elf], capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] == ".text":
            return int(f[1])
    return None


def parse(log):
    cases, what = {}, {}
    try:
        text = open(log, errors="replace").read()
    except OSError:
        return cases, what
    for line in text.splitlines():
        line = line.strip()
        m = LINE.match(line)
        if m:
            name, desc = m.group(1), m.group(6).strip()
        else:
            m = IRQ_LINE.match(line)
            if not m or m.group(1) not in IRQBENCH:
                continue
            name, desc = IRQBENCH[m.group(1)]
        cases[name] = {"min": int(m.group(2)), "median": int(m.group(3)), "max": int(m.group(4)),
                       "runs": int(m.group(5))}
        what[name] = desc
    return cases, what


def compiler_version():
    """The kernel compiler's name and full version, e.g. ("arm-none-eabi-gcc", "12.2.1")."""
    cc = "arm-none-eabi-gcc"
    try:
        r = subprocess.run([cc, "-dumpfullversion"], capture_output=True, text=True)
        version = r.stdout.strip()
    except OSError:
        version = ""
    return cc, version or "unknown"


def compiler_key(cc, version):
    """The baseline's key for a compiler: its name and major version."""
    return f"{cc} {version.split('.')[0]}"


def git_rev():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"], capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--update-baseline", action="store_true")
    ap.add_argument("runs", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    runs = a.runs[1:] if a.runs and a.runs[0] == "--" else a.runs
    if not runs or len(runs) % 5:
        ap.error("expected PLATFORM STATUS LOG ELF RELEASE_ELF, for each platform")

    ok = True
    cc, version = compiler_version()
    key = compiler_key(cc, version)
    result = {"unit": "instructions under QEMU -icount shift=0 (PMU cycle counter)", "revision": git_rev(),
              "compiler": f"{cc} {version}", "platforms": {}}
    order, what = [], {}
    for i in range(0, len(runs), 5):
        platform, status, log, elf, rel = runs[i:i + 5]
        cases, w = parse(log)
        for c in cases:
            if c not in order:
                order.append(c)
        what.update(w)
        if status != "0" or not cases:
            print(f"bench: the benchmark run on {platform} failed (status {status}); log: {log}")
            ok = False
        result["platforms"][platform] = {
            "cases": cases,
            "text": {"default": text_size(elf), "release": text_size(rel)},
        }
    plats = list(result["platforms"])

    # ---- the table
    first, col = 30, 26
    print()
    # Beside each figure with a seL4 figure: the ratio to it; then seL4's own.
    print(f"{'case':<{first}}" + "".join(f"{p + ': median (min-max) / seL4':>{col + 8}}" for p in plats)
          + f"{'seL4':>7}  what")
    for c in order:
        row = f"{c:<{first}}"
        for p in plats:
            f = result["platforms"][p]["cases"].get(c)
            cell = f"{f['median']:,} ({f['min']:,}-{f['max']:,})" if f else "-"
            cell += f" {f['median'] / SEL4[c]:5.2f}x" if f and c in SEL4 else " " * 7
            row += f"{cell:>{col + 8}}"
        row += f"{SEL4[c]:>7,}" if c in SEL4 else f"{'':>7}"
        print(row + "  " + what.get(c, ""))
    for kind, label in (("default", "kernel .text, default build"), ("release", "kernel .text, release build")):
        row = f"{label:<{first}}"
        for p in plats:
            t = result["platforms"][p]["text"][kind]
            row += f"{(f'{t:,} bytes' if t is not None else '-'):>{col + 8}}"
        print(row)

    # ---- the performance targets
    print()
    print("targets (instructions, every platform):")
    for c, (limit, name) in TARGETS.items():
        parts = []
        for p in plats:
            f = result["platforms"][p]["cases"].get(c)
            if not f:
                parts.append(f"{SHORT.get(p, p)} -")
                continue
            m = f["median"]
            parts.append(f"{SHORT.get(p, p)} {m:,} " +
                         ("met" if m <= limit else f"MISSED by {m - limit:,} (+{100 * (m - limit) / limit:.0f}%)"))
        print(f"  {name}: <= {limit:,}: " + "; ".join(parts))
    parts = []
    for p in plats:
        t = result["platforms"][p]["text"]["release"]
        if t is None:
            parts.append(f"{SHORT.get(p, p)} -")
        else:
            parts.append(f"{SHORT.get(p, p)} {t:,} B " + ("met" if t <= TEXT_TARGET else
                                                          f"MISSED by {t - TEXT_TARGET:,} B"))
    print(f"  kernel .text in the release build <= 64 KiB ({TEXT_TARGET:,} B): " + "; ".join(parts))

    # ---- JSON
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"\nfigures written to {a.json}")

    # ---- the baseline: this compiler's figures in it
    base = {}
    if os.path.isfile(a.baseline):
        base = json.load(open(a.baseline))
    if a.update_baseline:
        if not ok:
            print("bench: not updating the baseline from a failed run")
            return 1
        base["unit"] = result["unit"]
        mine = base.setdefault("compilers", {}).setdefault(key, {})
        mine["compiler"] = result["compiler"]
        mine["revision"] = result["revision"]
        mine.setdefault("platforms", {}).update(result["platforms"])
        os.makedirs(os.path.dirname(os.path.abspath(a.baseline)), exist_ok=True)
        with open(a.baseline, "w") as f:
            json.dump(base, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"baseline {a.baseline} updated for {', '.join(plats)} ({key})")
        return 0
    mine = base.get("compilers", {}).get(key)
    if mine is None:
        have = ", ".join(sorted(base.get("compilers", {}))) or "none"
        print(f"\nbench: no baseline for {result['compiler']} in {a.baseline} (it has: {have}); "
              "nothing compared (scripts/bench --update-baseline records this compiler's figures)")
        return 0 if ok else 1
    regressions, improvements, notes = [], [], []
    for p in plats:
        bp = mine.get("platforms", {}).get(p)
        if bp is None:
            notes.append(f"{p}: not in the baseline")
            continue
        now = result["platforms"][p]
        for c, bf in bp.get("cases", {}).items():
            f = now["cases"].get(c)
            if f is None:
                regressions.append(f"{p} {c}: missing from this run (baseline median {bf['median']:,})")
                continue
            old, new = bf["median"], f["median"]
            if new > old * (1 + TOLERANCE):
                regressions.append(f"{p} {c}: median {new:,}, baseline {old:,} (+{100 * (new - old) / old:.1f}%)")
            elif new < old * (1 - TOLERANCE):
                improvements.append(f"{p} {c}: median {new:,}, baseline {old:,} ({100 * (new - old) / old:.1f}%)")
        for c in now["cases"]:
            if c not in bp.get("cases", {}):
                notes.append(f"{p} {c}: new, not in the baseline")
        for kind in ("default", "release"):
            old, new = bp.get("text", {}).get(kind), now["text"][kind]
            if old is None or new is None:
                continue
            if new > old * (1 + TOLERANCE):
                regressions.append(f"{p} kernel .text ({kind} build): {new:,} B, baseline {old:,} B "
                                   f"(+{100 * (new - old) / old:.1f}%)")
            elif new < old * (1 - TOLERANCE):
                improvements.append(f"{p} kernel .text ({kind} build): {new:,} B, baseline {old:,} B")
    print(f"\ncompared with {a.baseline}, {key} (revision {mine.get('revision', '?')}, "
          f"{mine.get('compiler', key)}; fails above +{TOLERANCE:.0%}):")
    for n in notes:
        print(f"  note: {n}")
    for i in improvements:
        print(f"  better: {i} (scripts/bench --update-baseline records it)")
    for r in regressions:
        print(f"  WORSE: {r}")
    if not regressions:
        print("  no figure grew more than 5%")
    return 0 if ok and not regressions else 1


if __name__ == "__main__":
    sys.exit(main())
