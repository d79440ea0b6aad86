#!/usr/bin/env bash
# Runs every test project and ends with one line: "N passed, N failed" (", N skipped" if any).
set -uo pipefail
cd "$(dirname "$0")/.."
results=.test-results
rm -rf "$results"
mkdir -p "$results"
# Integration tests start the published binaries from ./bin (built by "make build").
export CODIS_SERVER_DLL="$PWD/bin/codis-server.dll"
status=0
# The house style is part of the build: a formatting difference fails the run like a test would.
format=0
if ! dotnet format Codis.slnx --verify-no-changes > "$results/format.txt" 2>&1; then
  echo "dotnet format found code that is not formatted (run 'make format'):"
  head -20 "$results/format.txt"
  format=1
fi
dotnet test Codis.slnx -c Release --nologo --logger "trx" --results-directory "$results" 2>&1 | tee "$results/output.txt" || status=$?
python3 - "$results" "$status" "$format" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
results, status, format_failed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(f"{results}/**/*.trx", recursive=True)
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    # xunit's skipped tests count in "total" but not in "executed".
    skipped += int(c.get("total", 0)) - int(c.get("executed", 0))
passed += 1 - format_failed
failed += format_failed
if status != 0 and failed == 0:
    # The run broke outside any test (build error, crashed test host): count it as a failure.
    failed = 1
line = f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")
print(line)
sys.exit(1 if failed else 0)
PY
