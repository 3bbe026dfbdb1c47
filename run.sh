#!/usr/bin/env bash
# The main job of NotifierSpec: runs the scenario suite through the reference MMU.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
dotnet cli/bin/Release/net10.0/notifier.dll scenario "$@"
