#!/bin/sh
# Renames a manifest's fields and result values to tlaplus/Examples' manifest schema names (manifest-schema.json):
# "depth" -> "stateDepth", "generated" -> "totalStates", and the results safety, liveness, deadlock, assumption ->
# "safety failure", "liveness failure", "deadlock failure", "assumption failure" ("success" and our "error" stay).
# Text substitution only, so the file's layout and every count stay as they are; running it twice changes nothing.
# usage: scripts/manifest-examples-names.sh tla/manifest.json tests/Checker.Tests/corpus/manifest.json
set -eu
for f in "$@"; do
  sed -i -E \
    -e 's/"depth"([[:space:]]*):/"stateDepth"\1:/g' \
    -e 's/"generated"([[:space:]]*):/"totalStates"\1:/g' \
    -e 's/"result"([[:space:]]*):([[:space:]]*)"(safety|liveness|deadlock|assumption)"/"result"\1:\2"\3 failure"/g' \
    "$f"
done
