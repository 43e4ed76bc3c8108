#!/usr/bin/env python3
"""Totals of a test run, read from the TRX file(s) the test runner wrote (dotnet test --logger trx).

Usage: scripts/trx-summary.py FILE.trx [...]
Prints one line "PASSED FAILED SKIPPED" on standard output, and on standard error one line per test that
did not pass (its outcome, name and the first line of its message). Every outcome other than Passed counts
as failed, except NotExecuted (a skipped test), which is reported as skipped. A run the runner counted but
did not report in full (a crashed or aborted test host) adds the missing tests, or one, as failed.
Exits 2 when a file is missing or unreadable.
"""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def first_line(text):
    text = (text or "").strip()
    return text.splitlines()[0] if text else ""


def summarize(path):
    root = ET.parse(path).getroot()
    passed = failed = skipped = 0
    for result in root.iterfind(".//t:Results/t:UnitTestResult", NS):
        outcome = result.get("outcome", "")
        if outcome == "Passed":
            passed += 1
            continue
        if outcome == "NotExecuted":
            skipped += 1
        else:
            failed += 1
        message = result.find(".//t:Output/t:ErrorInfo/t:Message", NS)
        print(f"   {outcome}: {result.get('testName')}  {first_line(message.text if message is not None else '')}", file=sys.stderr)
    summary = root.find("t:ResultSummary", NS)
    counters = summary.find("t:Counters", NS) if summary is not None else None
    total = int(counters.get("total", "0")) if counters is not None else 0
    reported = passed + failed + skipped
    if total > reported:
        print(f"   {total - reported} tests counted by the runner have no result (crashed or aborted run)", file=sys.stderr)
        failed += total - reported
    outcome = summary.get("outcome", "") if summary is not None else ""
    if outcome not in ("Completed", "Passed", "Failed", "Warning") and failed == 0:
        print(f"   the run ended '{outcome or 'without a summary'}'", file=sys.stderr)
        failed += 1
    return passed, failed, skipped


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    totals = [0, 0, 0]
    for path in paths:
        try:
            counts = summarize(path)
        except (OSError, ET.ParseError) as e:
            print(f"   cannot read {path}: {e}", file=sys.stderr)
            return 2
        totals = [a + b for a, b in zip(totals, counts)]
    print(*totals)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
