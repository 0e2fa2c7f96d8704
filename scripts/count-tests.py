#!/usr/bin/env python3
"""Count test cases in a meson testlog.json: print "<passed> <failed>".

A criterion executable reports its cases in a "Synthesis" line; each case
counts. Any other test counts as one. A test whose run failed adds one
failure on top of its cases, so a binary that crashed before its synthesis
cannot pass unnoticed. A test declared should_fail that did fail
(EXPECTEDFAIL) met its expectation and counts as passed.
"""
import json
import re
import sys

SYNTHESIS = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| "
                       r"Failing: (\d+) \| Crashing: (\d+)")

passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
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
print(passed, failed)
