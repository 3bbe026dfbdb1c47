#!/usr/bin/env bash
# Runs every test of NotifierSpec (the README's test command).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
# approved help texts (tests/Cli.Tests/__snapshots__): a missing snapshot fails instead of being written
export SNAPSHOOTER_STRICT_MODE=true
# -m:1: one test assembly at a time, so the solver's and the checker's timings do not fight on 2 cores
dotnet test NotifierSpec.sln -c Release --no-build -nologo -m:1 "$@"
