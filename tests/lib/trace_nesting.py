#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check a Chrome Trace Event JSON file the way the Perfetto UI reads it.

On one track (pid, tid), two complete ("X") slices must nest fully or not
overlap: Perfetto drops a slice that overlaps another without nesting.
Also: every track with slices is named (a thread_name "M" event), no
value is null or the text "(null)", ts and dur are not negative, and,
with --max-us, no slice ends after that time (a start that underflowed
shows as a ts of about 1.8e13 s).

Times are read as decimals and compared exactly, as integer nanoseconds.
Standard library only. Prints the first problem of each kind (or one line
saying all is well); exits 1 if there is any.
"""
import argparse
import decimal
import json
import sys


def ns(value):
    return int(decimal.Decimal(value) * 1000)


def walk_nulls(obj, where):
    if obj is None:
        return where
    if isinstance(obj, str):
        return where if obj == "(null)" else None
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, val in items:
        bad = walk_nulls(val, f"{where}.{key}")
        if bad:
            return bad
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--max-us", type=decimal.Decimal, help="no slice may end after this")
    args = ap.parse_args()
    with open(args.trace) as f:
        doc = json.load(f, parse_float=decimal.Decimal, parse_int=decimal.Decimal)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    named, tracks, problems = set(), {}, {}

    def problem(kind, text):
        problems.setdefault(kind, [0, text])[0] += 1
    for i, ev in enumerate(events):
        bad = walk_nulls(ev, f"traceEvents[{i}]")
        if bad:
            problem("null", f"{bad} is null or \"(null)\": {json.dumps(ev, default=str)[:200]}")
        if ev.get("ph") == "M" and ev.get("name") == "thread_name":
            named.add((ev["pid"], ev["tid"]))
        if ev.get("ph") != "X":
            continue
        start, dur = ns(ev["ts"]), ns(ev["dur"])
        if start < 0 or dur < 0:
            problem("negative", f"negative ts or dur: {ev['name']} ts={ev['ts']} dur={ev['dur']}")
        if args.max_us is not None and start + dur > ns(args.max_us):
            problem("late", f"{ev['name']} ends at {(start + dur) / 1e3} us, after {args.max_us} us")
        tracks.setdefault((ev["pid"], ev["tid"]), []).append((start, -(start + dur), i, ev["name"]))
    slices = 0
    for track, spans in tracks.items():
        if track not in named:
            problem("unnamed", f"track pid={track[0]} tid={track[1]} has no thread_name")
        spans.sort()
        stack = []
        for start, neg_end, i, name in spans:
            end = -neg_end
            while stack and stack[-1][0] <= start:
                stack.pop()
            if stack and stack[-1][0] < end:
                problem("overlap", f"on pid={track[0]} tid={track[1]}, '{name}' "
                        f"[{start / 1e3}, {end / 1e3}] us overlaps '{stack[-1][1]}' (ends {stack[-1][0] / 1e3} us) without nesting")
                continue
            stack.append((end, name))
        slices += len(spans)
    for kind, (count, text) in problems.items():
        print(f"{args.trace}: {count} {kind}: {text}" + (f" (and {count - 1} more)" if count > 1 else ""))
    if problems:
        sys.exit(1)
    print(f"{args.trace}: {slices} slices on {len(tracks)} tracks nest")


main()
