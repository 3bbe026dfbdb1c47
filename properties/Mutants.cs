using System.Collections.Immutable;
using NotifierSpec.Reference;

namespace NotifierSpec.Properties;

/// <summary>A planted bug: in the reference's call sites and notifier chain (Mutant), in a driver, or in a listener.</summary>
public sealed record MutantCase(string Name, string Plants, Func<MmConfig, MmConfig> Apply);

/// <summary>The mutation matrix: every planted bug against every property.</summary>
public static class Mutants
{
    /// <summary>Tests per cell of the matrix by default (the narrowest window, MigrateCopyBeforeUnmap, needs the most).</summary>
    public const int DefaultBudget = 250;

    private static MmConfig Mirrors(MmConfig c, Func<MirrorConfig, MirrorConfig> f) => c with { Mirrors = c.MirrorList.Select(f).ToImmutableArray() };

    private static readonly Dictionary<Mutant, string> Plants = new()
    {
        [Mutant.RangeOnePageShort] = "M2: the notified range misses its last page",
        [Mutant.FreeBeforeNotify] = "M1/B1: frames freed before invalidate_range_start",
        [Mutant.StartWithoutEnd] = "M7: invalidate_range_end never called",
        [Mutant.EndAfterRefusedStart] = "M7/B10: end called after a refused non-blockable start",
        [Mutant.WrongEventMprotect] = "a wrong event at a call site (mprotect to none says write-protect)",
        [Mutant.CowForgetsWriteProtect] = "B14: fork leaves the parent writable",
        [Mutant.SkipSetSeq] = "M4: the interval callback skips mmu_interval_set_seq",
        [Mutant.ReadBeginNoSleep] = "M5: read_begin does not wait for the pass",
        [Mutant.EndPassEarly] = "M6: the pass ends before the invalidation does",
        [Mutant.NoTlbFlushNotify] = "M10/B2: no secondary-TLB callback at the flush",
        [Mutant.SoftDirtyNoWriteProtect] = "clear_refs does not write-protect",
        [Mutant.MigrateNoNotify] = "migration changes the PTE with no notification",
        [Mutant.ZapSkipsHuge] = "B6: a zap notifies the base page only, not its huge page",
        [Mutant.ForkNoEvent] = "fork write-protects without start/end",
        [Mutant.NonblockIgnoresRefusal] = "R1: the OOM reaper zaps although a callback refused",
        [Mutant.WriteFaultNoSoftDirty] = "a write-fault upgrade forgets soft-dirty",
        [Mutant.MigrateCopyBeforeUnmap] = "migration copies before unmapping (lost writes)",
        [Mutant.OwnerFilterAll] = "listeners skip every event with an owner, not only their own",
        [Mutant.FinishPassAtEnd] = "two-pass interval notifiers' invalidate_finish runs at invalidate_range_end, after the PTE change",
    };

    /// <summary>The mutant on the generated configuration; FinishPassAtEnd only shows with two-pass interval listeners.</summary>
    private static Func<MmConfig, MmConfig> Planted(Mutant m) => m == Mutant.FinishPassAtEnd
        ? c => Mirrors(c with { Mutants = m }, x => x with { Kind = MirrorKind.Interval, Policy = Policy.TwoPass })
        : c => c with { Mutants = m };

    public static readonly ImmutableArray<MutantCase> All =
    [
        .. Enum.GetValues<Mutant>().Where(m => m != Mutant.None).Select(m => new MutantCase(m.ToString(), Plants[m], Planted(m))),
        new("NoReadRetry", "M3: the driver installs without mmu_interval_read_retry", c => Mirrors(c, m => m with { SkipReadRetry = true })),
        new("ReadRetryOutsideLock", "M3: read_retry checked before taking the device lock", c => Mirrors(c, m => m with { ReadRetryOutsideLock = true })),
        new("UnmapAtEnd", "B12: a listener that tears down only in invalidate_range_end", c => Mirrors(c, m => m with { Kind = MirrorKind.Mm, Policy = Policy.UnmapAtEnd })),
        new("InvalidatePageOnly", "B1: an old-style listener implementing only invalidate_page", c => Mirrors(c, m => m with { Kind = MirrorKind.InvalidatePage })),
        new("IgnoreSoftDirty", "a listener that ignores soft-dirty clearing", c => Mirrors(c, m => m with { Policy = Policy.IgnoreSoftDirty })),
        new("V7MprotWriteProtect", "the seed's debate: write-protect only on v7's MMU_MPROT", c => Mirrors(c with { Vocabulary = Vocabulary.V7 }, m => m with { Policy = Policy.WriteProtectOnMprot })),
    ];

    public static MutantCase Find(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"unknown mutant '{name}' (known: {string.Join(", ", All.Select(m => m.Name))})");

    /// <summary>One cell: the property fails on the mutant (killed, with the rule or reason) or survives.</summary>
    public sealed record Cell(string Mutant, string Property, bool Killed, string? Reason, int Tests);

    /// <summary>Checks every mutant against every property (rows can run in parallel; results do not depend on it).</summary>
    public static ImmutableArray<Cell> Matrix(int maxTest, ulong seed, int workers = 1, IEnumerable<MutantCase>? mutants = null)
    {
        var rows = (mutants ?? All).ToList();
        var cells = new Cell[rows.Count][];
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, i =>
        {
            var mu = rows[i];
            cells[i] = NotifierProperties.All.Select(def =>
            {
                var r = PropertyChecker.Check(def, new GenOptions(Adjust: mu.Apply), maxTest, seed);
                string? reason = r.Passed ? null : r.Failure is { } f ? f.Split(' ')[0] : "failed";
                return new Cell(mu.Name, def.Name, !r.Passed, reason, r.Tests);
            }).ToArray();
        });
        return [.. cells.SelectMany(c => c)];
    }

    /// <summary>The matrix as a table: one row per mutant, one column per property; a killed cell names the rule broken.</summary>
    public static string Render(ImmutableArray<Cell> cells)
    {
        var props = NotifierProperties.All.Select(p => p.Name).ToList();
        var w = new StringWriter();
        int nameW = Math.Max(24, cells.Max(c => c.Mutant.Length) + 1);
        int colW = Math.Max(22, props.Max(p => p.Length) + 1);
        w.WriteLine("mutant".PadRight(nameW) + string.Concat(props.Select(p => p.PadRight(colW))) + "verdict");
        foreach (var row in cells.GroupBy(c => c.Mutant))
        {
            w.Write(row.Key.PadRight(nameW));
            foreach (var p in props)
            {
                var c = row.Single(x => x.Property == p);
                w.Write((c.Killed ? "X " + (c.Reason ?? "") : "-").PadRight(colW));
            }
            w.WriteLine(row.Any(c => c.Killed) ? "killed" : "SURVIVED");
        }
        return w.ToString();
    }
}
