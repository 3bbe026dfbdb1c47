using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using NotifierSpec.Reference;

namespace NotifierSpec.Properties;

/// <summary>What the generated configurations may contain.</summary>
public sealed record GenOptions(Vocabulary? Vocabulary = null, bool DeviceCalls = true,
    Func<MmConfig, MmConfig>? Adjust = null, int MaxActions = 300, StepCounter? Counter = null);

/// <summary>Counts the steps the checked programs ran (for the hammer's rate); thread-safe.</summary>
public sealed class StepCounter
{
    private long _steps, _programs;
    public long Steps => Interlocked.Read(ref _steps);
    public long Programs => Interlocked.Read(ref _programs);
    public void Add(long steps) { Interlocked.Add(ref _steps, steps); Interlocked.Increment(ref _programs); }
}

/// <summary>
/// FsCheck generators for configurations and action sequences, biased to where the races are:
/// a small set of hot pages shared by CPU calls and device requests, device steps while a CPU
/// operation is in flight, back-to-back invalidations and frames freed and reused at once.
/// </summary>
public static class Generators
{
    /// <summary>Correct listener policies: safe under every vocabulary. Not Policy.Hmm: its consult-vma on
    /// MMU_NOTIFY_PROTECTION_VMA keeps device access through NUMA hinting, userfaultfd write-protect and
    /// PAGEMAP_SCAN, which leave the VMA unchanged (docs/protection-vma.md); HmmUnmapVma is Hmm with unmap there.</summary>
    public static readonly ImmutableArray<Policy> CorrectPolicies = [Policy.UnmapAll, Policy.HmmUnmapVma];

    public static Gen<MirrorConfig> Mirror(int index, int pages) =>
        from kind in Gen.Frequency((5, Gen.Constant(MirrorKind.Interval)), (2, Gen.Constant(MirrorKind.Mm)), (2, Gen.Constant(MirrorKind.SecondaryTlb)))
        from policy in Gen.Elements(CorrectPolicies.ToArray())
        from chunk in Gen.Choose(1, 4)
        from partial in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from a in Gen.Choose(0, pages - 1)
        from len in Gen.Choose(1, pages)
        select new MirrorConfig($"dev{index}", kind, policy, FaultChunk: chunk,
            Span: partial && kind == MirrorKind.Interval ? new PageRange(a, Math.Min(pages, a + len)) : null);

    public static Gen<MmConfig> Config(GenOptions o) =>
        from pages in Gen.Elements(8, 12, 16)
        from huge in Gen.Elements(2, 4)
        from vocab in o.Vocabulary is { } v ? Gen.Constant(v) : Gen.Elements(Vocabulary.V7, Vocabulary.V7Reviewed, Vocabulary.Upstream)
        from n in Gen.Choose(1, 3)
        from m0 in Mirror(0, pages)
        from m1 in Mirror(1, pages)
        from m2 in Mirror(2, pages)
        let cfg = new MmConfig(pages, huge, pages * 5, vocab, new[] { m0, m1, m2 }.Take(n).ToImmutableArray())
        select o.Adjust is { } f ? f(cfg) : cfg;

    private static Gen<int> Page(int pages, int hot) =>
        Gen.Frequency((3, Gen.Choose(Math.Max(0, hot - 1), Math.Min(pages - 1, hot + 2))), (1, Gen.Choose(0, pages - 1)));

    private static Gen<(int, int)> Range(int pages, int hot) =>
        from a in Page(pages, hot)
        from len in Gen.Frequency((3, Gen.Choose(1, 4)), (1, Gen.Choose(1, pages)))
        select (a, Math.Min(pages, a + len));

    private static Gen<Prot> Protection => Gen.Frequency((2, Gen.Constant(Prot.ReadWrite)), (2, Gen.Constant(Prot.Read)), (1, Gen.Constant(Prot.None)));

    /// <summary>A CPU call. Kernel: the vocabulary is a kernel one; the seed's (v7, v7-reviewed) have no row for
    /// userfaultfd, NUMA hinting, PAGEMAP_SCAN, MADV_COLLAPSE nor mapping_dirty_helpers, so those are not drawn there.</summary>
    public static Gen<Call> CpuCall(int pages, int hot, bool kernel = true, int huge = 4) =>
        from r in Range(pages, hot)
        from p in Page(pages, hot)
        from q in Page(pages, hot)
        from prot in Protection
        from value in Gen.Choose(1, 99)
        from flags in Gen.Choose(0, 15)
        from dst in Gen.Choose(0, pages - 1)
        from which in Gen.Choose(0, kernel ? 33 : 27)
        select which switch
        {
            0 or 1 or 2 => (Call)new Call.Mmap(r.Item1, r.Item2, prot == Prot.None ? Prot.ReadWrite : prot, Shared: (flags & 1) != 0, Thp: (flags & 2) != 0, Mergeable: (flags & 4) != 0, Hugetlb: flags == 15),
            3 => new Call.Munmap(r.Item1, r.Item2),
            4 or 5 => new Call.Mprotect(r.Item1, r.Item2, prot),
            // one kernel mremap in four with MREMAP_DONTUNMAP (no extra draw: the other calls' random stream is unchanged)
            6 when kernel && flags >= 12 => new Call.MremapDontunmap(r.Item1, r.Item2, Math.Min(dst, pages - (r.Item2 - r.Item1))),
            6 => new Call.Mremap(r.Item1, r.Item2, Math.Min(dst, pages - (r.Item2 - r.Item1))),
            7 => new Call.MadviseDontneed(r.Item1, r.Item2),
            8 => new Call.MadviseFree(r.Item1, r.Item2),
            9 => new Call.Truncate(r.Item1, r.Item2),
            10 or 11 => new Call.CpuRead(p),
            12 or 13 or 14 => new Call.CpuWrite(p, value),
            15 => new Call.Fork(),
            16 or 17 => new Call.Migrate(p),
            18 => new Call.KsmMerge(p, q),
            19 => new Call.SplitHuge(p),
            20 => new Call.CollapseHuge(p),
            21 => new Call.Mlock(r.Item1, r.Item2),
            22 => new Call.Munlock(r.Item1, r.Item2),
            23 => new Call.Writeback(p),
            24 => new Call.ClearRefs(),
            25 => new Call.OomReap(),
            26 => flags == 0 ? new Call.Exit() : flags < 8 ? new Call.PageReferenced(p) : new Call.CpuRead(p),
            27 when !kernel => new Call.CpuWrite(p, value),
            // userfaultfd: UFFDIO_REGISTER (MODE_WP), UFFDIO_WRITEPROTECT (mode WP, or 0), UFFDIO_UNREGISTER (no extra draw)
            27 when flags < 5 => new Call.UffdRegister(r.Item1, r.Item2),
            27 when flags < 7 => new Call.UffdUnregister(r.Item1, r.Item2),
            27 => new Call.UffdWriteProtect(r.Item1, r.Item2, Wp: flags != 7),
            28 => new Call.NumaScan(r.Item1, r.Item2),
            29 => new Call.PagemapScanWp(r.Item1, r.Item2),
            // UFFDIO_MOVE of one page, or of a huge block to another (move_pages_huge_pmd when it holds a whole THP and the
            // destination block is empty); no extra draw, so the other calls' random stream is unchanged
            30 when flags < 8 || pages < 2 * huge => new Call.UffdMove(p, q),
            30 => new Call.UffdMove(p / huge * huge % (pages / huge * huge), q / huge * huge % (pages / huge * huge), huge),
            31 => new Call.MadviseCollapse(r.Item1, r.Item2),
            32 => new Call.WpSharedMapping(r.Item1, r.Item2),
            _ => new Call.CpuWrite(p, value),
        };

    /// <summary>A device request; device-exclusive entries and device-private migration (HMM_DMIRROR_MIGRATE_TO_DEV) only
    /// exist in the kernel vocabularies.</summary>
    public static Gen<Call> DeviceCall(int mirrors, int pages, int hot, bool kernel = true) =>
        from m in Gen.Choose(0, mirrors - 1)
        from p in Page(pages, hot)
        from value in Gen.Choose(1, 99)
        from which in Gen.Choose(0, kernel ? 23 : 21)
        select which switch
        {
            < 9 => (Call)new Call.DeviceRead(m, p),
            < 18 => new Call.DeviceWrite(m, p, value),
            18 => new Call.IntervalRemove(m),
            19 => new Call.IntervalInsert(m),
            >= 22 => new Call.MigrateToDevice(m, p, Math.Min(pages, p + 1 + value % 3)),
            _ => new Call.DeviceExclusive(m, p),
        };

    public static Gen<Act> Action(MmConfig cfg, int hot, bool deviceCalls)
    {
        int mirrors = cfg.MirrorList.Length;
        var gens = new List<(int, Gen<Act>)>
        {
            (6, Gen.Choose(0, 7).Select(k => (Act)new Act.Step(k))),
            (3, Gen.Constant((Act)new Act.StepCpu())),
            (3, CpuCall(cfg.Pages, hot, EventTables.IsKernel(cfg.Vocabulary), cfg.HugePageSize).Select(c => (Act)new Act.Do(c))),
        };
        if (mirrors > 0 && deviceCalls)
        {
            gens.Add((3, DeviceCall(mirrors, cfg.Pages, hot, EventTables.IsKernel(cfg.Vocabulary)).Select(c => (Act)new Act.Do(c))));
            gens.Add((4, Gen.Choose(0, mirrors - 1).Select(m => (Act)new Act.StepDevice(m))));
            gens.Add((2, from m in Gen.Choose(0, mirrors - 1) from k in Gen.Choose(1, 12) select (Act)new Act.Lockstep(m, k)));
        }
        return Gen.Frequency(gens.ToArray());
    }

    public static Gen<Prog> Program(GenOptions o) =>
        from cfg in Config(o)
        from hot in Gen.Choose(0, cfg.Pages - 1)
        from setup in Gen.Elements(
            new Call.Mmap(0, cfg.Pages, Prot.ReadWrite, Thp: true, Mergeable: true),
            new Call.Mmap(0, cfg.Pages, Prot.ReadWrite, Shared: true),
            new Call.Mmap(0, cfg.Pages / 2, Prot.ReadWrite, Mergeable: true))
        from n in Gen.Choose(20, o.MaxActions)
        from acts in Gen.ArrayOf(Action(cfg, hot, o.DeviceCalls), n)
        select new Prog(cfg, [new Act.Do(setup), .. acts]) { Counter = o.Counter };

    /// <summary>
    /// Shrinks by deleting blocks of actions (halves, quarters, ... single actions) and then by
    /// dropping mirrors the failure does not need. Every candidate is a valid program (lenient interpretation).
    /// </summary>
    public static IEnumerable<Prog> Shrink(Prog p)
    {
        int n = p.Acts.Length;
        for (int size = n / 2; size >= 1; size /= 2)
            for (int start = 1; start + size <= n; start += size)
                yield return p with { Acts = p.Acts.RemoveRange(start, size) };
        for (int m = p.Config.MirrorList.Length - 1; m >= 1; m--)
            if (!p.Acts.Any(a => a is Act.StepDevice sd && sd.Mirror >= m || a is Act.Lockstep ls && ls.Mirror >= m || a is Act.Do { Call.MirrorIndex: int mi } && mi >= m))
                yield return p with { Config = p.Config with { Mirrors = p.Config.MirrorList.RemoveAt(m) } };
    }

    public static Arbitrary<Prog> Arbitrary(GenOptions o) => Arb.From(Program(o), Shrink);
}
