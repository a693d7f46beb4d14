#!/usr/bin/env python3
"""Sum meson test logs (meson-logs/*.json, one JSON object a line) into the one closing line CI reads:
'N passed, N failed, N skipped'. A TAP test counts each of its cases; any other test counts once."""
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")


def count(entry):
    """Return (passed, failed, skipped) for one meson test entry."""
    result = entry.get("result", "")
    if entry.get("protocol") == "tap" or re.search(r"^1\.\.\d+", entry.get("stdout") or "", re.M):
        passed = failed = skipped = 0
        for line in (entry.get("stdout") or "").splitlines():
            m = TAP_LINE.match(line)
            if not m:
                continue
            if "# SKIP" in m.group(2):
                skipped += 1
            elif m.group(1) == "ok":
                passed += 1
            else:
                failed += 1
        # A TAP test that crashed or timed out fails even if the cases it printed passed.
        if result not in ("OK", "EXPECTEDFAIL", "SKIP") and failed == 0:
            failed = 1
        if passed + failed + skipped == 0:
            return (0, 0, 1) if result == "SKIP" else (0, 1, 0)
        return passed, failed, skipped
    if result == "SKIP":
        return 0, 0, 1
    return (1, 0, 0) if result in ("OK", "EXPECTEDFAIL") else (0, 1, 0)


def main(paths):
    totals = [0, 0, 0]
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
        except OSError as e:
            print(f"summarize-tests: cannot read {path}: {e}", file=sys.stderr)
            totals[1] += 1
            continue
        for line in lines:
            if not line.strip():
                continue
            entry = json.loads(line)
            p, f_, s = count(entry)
            if f_:
                print(f"FAILED: {entry.get('name')} ({path})")
            totals = [totals[0] + p, totals[1] + f_, totals[2] + s]
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
