#!/usr/bin/env bash
# Ours against TLC, side by side, on a benchmark set (bench/set.txt): whole runs, several of each,
# alternating ours / TLC so that a drift in the machine's speed hits both; medians and ratios.
#
#   bench/compare.sh --tlc PATH [--runs N] [--workers W] [--set FILE] [--examples DIR] [--only NAME] [--no-build]
#
# PATH: TLC as a jar (tla2tools.jar: run as `java -XX:+UseParallelGC -cp PATH tlc2.TLC`) or as an executable
# launcher taking TLC's own arguments. Never commit TLC or its output.
# --examples DIR: a checkout of github.com/tlaplus/Examples; rows whose spec starts with examples/ need it
#   (without it they are skipped, and the table says so).
# --only NAME: the rows whose name contains NAME.
# --no-build: run the notifier as built (cli/bin/Release), without `dotnet build` first.
#
# Every run's distinct-state count is compared: a model whose counts differ between ours and TLC is
# printed as MISMATCH and gets no ratio, as is a model one of whose runs failed (its exit code is shown;
# each run's figures go to stderr as they come, and the other rows are kept). Times are wall seconds of
# the whole process and CPU seconds (user + system) as the kernel accounts them for the finished child
# (/usr/bin/time). The ratio is
# TLC / ours: above 1, ours is faster. The machine and its load (uptime) before and after are printed
# with the table: figures taken with a load average near or above the number of cores are not results.
# Exit codes: 0 the table was printed; 255 bad usage (one line on stderr, as the notifier's own commands);
# 1 a model's runs failed or their counts differ (the table is still printed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

tlc="" runs=3 workers=1 set=bench/set.txt examples="" only="" build=1
usage() { echo "bench/compare.sh: $1 (see --help)" >&2; exit 255; }
while [ $# -gt 0 ]; do
  case "$1" in
    --tlc|--runs|--workers|--set|--examples|--only) [ $# -ge 2 ] || usage "$1 needs a value" ;;&
    --tlc) tlc=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --set) set=$2; shift 2 ;;
    --examples) examples=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[ -n "$tlc" ] || { echo "bench/compare.sh: --tlc PATH is required (a tla2tools.jar or a TLC launcher)" >&2; exit 255; }
[ -e "$tlc" ] || { echo "bench/compare.sh: --tlc $tlc: no such file" >&2; exit 255; }
[ -f "$set" ] || { echo "bench/compare.sh: --set $set: no such file" >&2; exit 255; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/compare.sh: --runs $runs: expected a positive integer" >&2; exit 255; }
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "bench/compare.sh: --workers $workers: expected a positive integer" >&2; exit 255; }
[ -x /usr/bin/time ] || { echo "bench/compare.sh: /usr/bin/time is required (Debian package 'time')" >&2; exit 255; }
tlc=$(readlink -f "$tlc")
case "$tlc" in
  *.jar) tlccmd=(java -XX:+UseParallelGC -cp "$tlc" tlc2.TLC) ;;
  *) tlccmd=("$tlc") ;;
esac

[ "$build" -eq 0 ] || dotnet build NotifierSpec.sln -c Release -nologo -v quiet >/dev/null
ours=(dotnet "$root/cli/bin/Release/net10.0/notifier.dll" check)
# ours as run.sh runs it: a 64 MB gen0 budget (read by the .NET runtime from the environment only; TLC's JVM ignores it)
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x4000000}"

work=$(mktemp -d /tmp/bench-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
results=$work/results.tsv
: > "$results"

machine() {
  echo "machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "dotnet $(dotnet --version); java: $(java -version 2>&1 | head -1)"
}

# one timed run: NAME SIDE DIR CMD... -> appends "name side wall cpu distinct" to results
run_one() {
  local name=$1 side=$2 dir=$3; shift 3
  local out=$work/out.txt tm=$work/time.txt
  local rc=0
  (cd "$dir" && /usr/bin/time -f "%e %U %S" -o "$tm" "$@" > "$out" 2>&1) || rc=$?
  local distinct
  # no count (a failed run): '?' (a failed grep must not end the script and lose the rows before it)
  distinct=$(grep -oE '[0-9,]+ distinct states found' "$out" | tail -1 | cut -d' ' -f1 | tr -d , || true)
  # /usr/bin/time's last line holds the figures (it writes "Command exited with non-zero status N" first)
  read -r wall user sys < <(tail -n 1 "$tm")
  # ours exits 0 on a passing model; TLC exits 0 too: another exit code is recorded and shown in the table
  [ "$rc" -eq 0 ] || { echo "   $name $side: exit code $rc; last lines:" >&2; tail -n 3 "$out" | sed 's/^/     /' >&2; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$side" "$wall" "$(echo "$user + $sys" | bc)" "${distinct:-?}" "$rc" >> "$results"
  echo "   $name $side: wall ${wall}s cpu $(echo "$user + $sys" | bc)s distinct ${distinct:-?} exit $rc" >&2
}

echo "== bench/compare.sh: $runs run(s) each, $workers worker(s), set $set"
machine
echo "load before: $(uptime)"
skipped=()
while read -r name spec cfg; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  [[ -n "$only" && "$name" != *"$only"* ]] && continue
  if [[ "$spec" == examples/* ]]; then
    [ -n "$examples" ] || { skipped+=("$name (needs --examples)"); continue; }
    spec="$examples/${spec#examples/}"; cfg="$examples/${cfg#examples/}"
  else
    spec="$root/$spec"; cfg="$root/$cfg"
  fi
  [ -f "$spec" ] && [ -f "$cfg" ] || { skipped+=("$name (missing $spec or $cfg)"); continue; }
  # both run in the spec's directory (TLC's states/ go to a scratch -metadir); modules are also looked up
  # in its parent, as tla/models/MC*.tla EXTEND tla/NotifierSpec.tla (TLC: -DTLA-Library, ours: built in)
  d=$(dirname "$spec"); s=$(basename "$spec"); c=$(realpath --relative-to="$d" "$cfg")
  echo "-- $name" >&2
  for ((i = 0; i < runs; i++)); do
    run_one "$name" ours "$d" "${ours[@]}" "$s" --config "$c" --workers "$workers"
    run_one "$name" tlc "$d" env JAVA_TOOL_OPTIONS="-DTLA-Library=$(dirname "$d")" "${tlccmd[@]}" -workers "$workers" -metadir "$work/meta-$name-$i" -config "$c" "$s"
  done
done < "$set"
echo "load after:  $(uptime)"

table_rc=0
python3 bench/table.py "$results" || table_rc=$?
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "skipped: $s"; done
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l >= n / 2) }'; then
  echo "WARNING: load average $load on $(nproc) cores: other work shared the machine, these wall times are not results"
fi
exit "$table_rc"
