#!/usr/bin/env bash
# Runs every test of NotifierSpec (the README's test command).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
dotnet test NotifierSpec.sln -c Release --no-build -nologo "$@"
