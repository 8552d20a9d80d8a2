#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# runner.py: boot an image in QEMU, read its serial log, and decide pass or fail.
"""Run QEMU with a time limit and judge its serial output and exit status.

    runner.py [options] -- qemu-system-arm ARGS...

The verdict, in order:
  * a line matching --stop-at ends the run early (QEMU is killed; status ignored);
  * otherwise QEMU must exit by itself within --timeout seconds, with --exit-status;
  * every --expect regex must match some line, no --reject regex may match any;
  * with --ktest, "KTEST DONE passed=N failed=0" with N > 0 must appear and no
    "KTEST FAIL" line; a "PETREL PANIC" line fails unless --expect names it;
  * with --checks N, a test app's check lines (libpetrel's Checks, "NAME: what:
    ok" or "NAME: what: ... FAILED") are counted: exactly N lines must end in
    ": ok" and none may hold ": FAILED", so a check that fails, goes missing or
    is added unannounced fails the run; --sentinel REGEX must match a line (the
    app's last, e.g. "threads: done, 0 check(s) failed").
On failure the whole serial log is printed. --live streams the log as it comes
(scripts/run uses that); --duration S runs for S seconds, then passes if every
--expect matched (status 0), as `scripts/run --timeout` needs; with --early it
ends as soon as every --expect has matched (QEMU is killed). --show REGEX
prints the lines that match it on success too (a benchmark's figures).
--send-after REGEX TEXT types TEXT into QEMU's standard input (the serial
console's input with -nographic) once a complete output line matches REGEX;
each is sent once, and TEXT may hold Python escapes ("\\r" for Enter).
"""

import argparse
import codecs
import re
import select
import subprocess
import sys
import time


def all_matched(patterns, log):
    """Whether every regex in `patterns` matches some complete line of `log`."""
    lines = log[:log.rfind(b"\n") + 1].decode("utf-8", "replace").replace("\r", "").split("\n")
    return all(any(re.search(p, l) for l in lines) for p in patterns)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", default="qemu")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--duration", type=float, help="run this long, then judge the --expect lines")
    ap.add_argument("--early", action="store_true",
                    help="with --duration: stop once every --expect has matched")
    ap.add_argument("--exit-status", type=int, default=0)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--stop-at", help="regex: end the run when a line matches")
    ap.add_argument("--ktest", action="store_true")
    ap.add_argument("--checks", type=int, metavar="N", help="exactly N lines end in ': ok', none holds ': FAILED'")
    ap.add_argument("--sentinel", help="regex: the line that ends a test app's run; it must appear")
    ap.add_argument("--live", action="store_true")
    ap.add_argument("--show", help="regex: print the lines that match it, also on success")
    ap.add_argument("--send-after", nargs=2, action="append", default=[], metavar=("REGEX", "TEXT"),
                    help="type TEXT into the serial input once a line matches REGEX")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.qemu[1:] if args.qemu and args.qemu[0] == "--" else args.qemu
    if not cmd:
        ap.error("no QEMU command given after --")

    sends = [(re.compile(r), codecs.decode(t, "unicode_escape").encode("latin-1"))
             for r, t in args.send_after]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if sends else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    scanned = 0  # bytes of the log whose complete lines were matched against `sends`
    limit = args.duration if args.duration is not None else args.timeout
    deadline = time.monotonic() + limit
    log = bytearray()
    stopped = timed_out = False
    stop_re = re.compile(args.stop_at) if args.stop_at else None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
        if ready:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                break
            log += chunk
            if args.live:
                sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
            if stop_re and stop_re.search(log.decode("utf-8", "replace")):
                stopped = True
                break
            if args.early and args.expect and all_matched(args.expect, log):
                stopped = True
                break
            end = log.rfind(b"\n") + 1
            if sends and end > scanned:
                for line in log[scanned:end].decode("utf-8", "replace").replace("\r", "").split("\n"):
                    for pair in [p for p in sends if p[0].search(line)]:
                        sends.remove(pair)
                        try:
                            proc.stdin.write(pair[1])
                            proc.stdin.flush()
                        except OSError:
                            pass
                scanned = end
    if proc.poll() is None:
        proc.kill()
    try:
        rest, _ = proc.communicate(timeout=5)
        log += rest or b""
    except subprocess.TimeoutExpired:
        pass
    status = proc.returncode
    text = log.decode("utf-8", "replace").replace("\r", "")
    lines = text.split("\n")

    problems = []
    if args.duration is not None:
        if not timed_out and not stopped:
            problems.append(f"QEMU ended early with status {status} before {args.duration:g} s")
    elif timed_out:
        problems.append(f"timed out after {args.timeout:g} s")
    elif not stopped and status != args.exit_status:
        problems.append(f"QEMU exit status {status}, expected {args.exit_status}")
    for pattern in args.expect:
        if not any(re.search(pattern, l) for l in lines):
            problems.append(f"no line matches {pattern!r}")
    for pattern in args.reject:
        bad = [l for l in lines if re.search(pattern, l)]
        if bad:
            problems.append(f"line matches rejected {pattern!r}: {bad[0]!r}")
    oks = sum(1 for l in lines if l.endswith(": ok"))
    if args.checks is not None:
        problems += [f"failed check: {l}" for l in lines if ": FAILED" in l]
        if oks != args.checks:
            problems.append(f"{oks} check lines end in ': ok', expected {args.checks}")
    if args.sentinel and not any(re.search(args.sentinel, l) for l in lines):
        problems.append(f"no sentinel line matches {args.sentinel!r}")
    if args.ktest:
        fails = [l for l in lines if l.startswith("KTEST FAIL")]
        problems += [f"failed case: {l}" for l in fails]
        done = [m for m in (re.match(r"KTEST DONE passed=(\d+) failed=(\d+)", l) for l in lines) if m]
        if not done:
            problems.append("no 'KTEST DONE' sentinel")
        elif int(done[-1].group(1)) == 0 or int(done[-1].group(2)) != 0:
            problems.append(f"sentinel says {done[-1].group(0)}")
        if not any("PANIC" in p for p in args.expect) and any("PETREL PANIC" in l for l in lines):
            problems.append("the kernel panicked")

    if problems:
        if not args.live:
            print(f"---- serial log of {args.name} ----")
            print(text)
            print("---- end of log ----")
        for p in problems:
            print(f"FAIL {args.name}: {p}")
        return 1
    if args.show and not args.live:
        for l in lines:
            if re.search(args.show, l):
                print(l)
    cases = sum(1 for l in lines if l.startswith("KTEST ok"))
    print(f"PASS {args.name}" + (f" ({cases} target cases)" if args.ktest else "")
          + (f" ({oks} checks ok)" if args.checks is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
