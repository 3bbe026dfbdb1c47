#!/usr/bin/env bash
# Every NotifierSpec benchmark, one after the other (none of them is part of the test run).
# Figures are rates or ratios; record them in README.md with the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
N="dotnet cli/bin/Release/net10.0/notifier.dll"
echo "== reference: checked steps per second (64 pages, 2 mirrors, one thread)"
$N bench-reference
echo "== properties: the hammer on 1 and 2 workers"
$N hammer --count 3000 --workers 1 --quiet
$N hammer --count 3000 --workers 2 --quiet
echo "== checker: distinct states per second, 1 and 2 workers, on the corpus's two largest models"
for spec in $(python3 -c "import json; m=json.load(open('tests/Checker.Tests/corpus/manifest.json'))['models']; print(' '.join('tests/Checker.Tests/corpus/'+x['spec'] for x in sorted(m, key=lambda x: -(x.get('distinctStates') or 0))[:2]))"); do
  $N check --bench "$spec"
done
echo "== Z3: the whole proof set, per query"
$N prove
