#!/usr/bin/env bash
# The main job of NotifierSpec: the project's TLA+ model checker on the notifier spec (every CI model
# of tla/manifest.json, compared with its recorded result and state counts). Extra arguments go to
# `notifier check` (e.g. --all for the long runs, or a single spec: tla/models/MCNotifierSafe.tla).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
dotnet cli/bin/Release/net10.0/notifier.dll check "$@"
