#!/usr/bin/env bash
# The main job of NotifierSpec: the project's TLA+ model checker on the notifier spec (every CI model
# of tla/manifest.json, compared with its recorded result and state counts). Extra arguments go to
# `notifier check` (e.g. --all for the long runs, or a single spec: tla/models/MCNotifierSafe.tla).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
# a 64 MB gen0 budget: far fewer collections, each of which stops every worker (docs/measurements.md, session 12:
# btree 2 workers 9.3 -> 7.2 s); the runtime reads it only from the environment, before any managed code
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x4000000}"
dotnet cli/bin/Release/net10.0/notifier.dll check "$@"
