#!/usr/bin/env python3
"""Count test cases in a meson testlog.json: print "<passed> <failed>".

A criterion executable reports its cases in a "Synthesis" line; each case
counts. Any other test counts as one. A test whose run failed adds one
failure on top of its cases, so a binary that crashed before its synthesis
cannot pass unnoticed. A test declared should_fail that did fail
(EXPECTEDFAIL) met its expectation and counts as passed. A skipped test
(exit 77: what it needs is missing here) counts neither way, and is
reported on stderr.
"""
import json
import re
import sys

SYNTHESIS = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| "
                       r"Failing: (\d+) \| Crashing: (\d+)")

passed = failed = skipped = 0
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        if test["result"] == "SKIP":
            skipped += 1
            continue
        ok = test["result"] in ("OK", "EXPECTEDFAIL")
        m = SYNTHESIS.search((test.get("stdout") or "") +
                             (test.get("stderr") or ""))
        if m:
            passed += int(m.group(2))
            failed += int(m.group(3)) + int(m.group(4))
        elif ok:
            passed += 1
        if not ok:
            failed += 1
if skipped:
    print(f"{skipped} test(s) skipped (not counted)", file=sys.stderr)
print(passed, failed)
