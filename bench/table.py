#!/usr/bin/env python3
# The table of bench/compare.sh from its results file (NAME SIDE WALL CPU DISTINCT RC, tab-separated, one line per run):
# medians, ratios TLC / ours, the geometric mean. Exit 1 when a model's runs failed or their counts differ.
import sys, statistics, math, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    name, side, wall, cpu, distinct, rc = line.rstrip('\n').split('\t')
    rows.setdefault(name, {'ours': [], 'tlc': []})[side].append((float(wall), float(cpu), distinct if rc == '0' else 'exit ' + rc))
print()
print("| model | distinct | wall s: TLC / ours (median) | ratio | CPU s: TLC / ours (median) | ratio |")
print("|---|---|---|---|---|---|")
ratios = []
bad = False
for name, r in rows.items():
    d_o = {x[2] for x in r['ours']}; d_t = {x[2] for x in r['tlc']}
    med = lambda xs, k: statistics.median(x[k] for x in xs)
    wo, wt, co, ct = med(r['ours'], 0), med(r['tlc'], 0), med(r['ours'], 1), med(r['tlc'], 1)
    failed = any(x.startswith('exit') for x in d_o | d_t)
    if failed or d_o != d_t or len(d_o) != 1 or '?' in d_o:
        bad = True
        print(f"| {name} | {'FAILED' if failed else 'MISMATCH'} ours {sorted(d_o)} TLC {sorted(d_t)} | {wt:.1f} / {wo:.1f} | - | {ct:.1f} / {co:.1f} | - |")
        continue
    if wt == 0 or wo == 0:
        # /usr/bin/time counts wall time in hundredths: a run under 0.01 s has no ratio (and none in the mean)
        print(f"| {name} | {int(next(iter(d_o))):,} | {wt:.2f} / {wo:.2f} | - (a run under 0.01 s) | {ct:.2f} / {co:.2f} | - |")
        continue
    ratios.append(wt / wo)
    print(f"| {name} | {int(next(iter(d_o))):,} | {wt:.1f} / {wo:.1f} | {wt/wo:.2f}x | {ct:.1f} / {co:.1f} | {ct/co:.2f}x |" if co > 0 and ct > 0
          else f"| {name} | {int(next(iter(d_o))):,} | {wt:.1f} / {wo:.1f} | {wt/wo:.2f}x | {ct:.2f} / {co:.2f} | - |")
if ratios:
    print(f"\ngeometric mean of the wall ratios (TLC / ours): {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}x over {len(ratios)} model(s)")
sys.exit(1 if bad else 0)
