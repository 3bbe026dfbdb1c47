#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for NotifierSpec, then builds the solution.
# Needs: the .NET 10 SDK on PATH (not installable from Debian's archive; see README).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and put dotnet on PATH" >&2
  exit 1
fi

# Debian packages the build needs (gcc + libz3-dev: the Z3 shim of spec/; see README).
need=()
for pkg in gcc libc6-dev libz3-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "setup: installing ${need[*]} with apt-get" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi

dotnet build NotifierSpec.sln -c Release -nologo -v quiet
