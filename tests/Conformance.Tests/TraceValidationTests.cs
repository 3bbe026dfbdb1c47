using System.Collections.Immutable;
using NotifierSpec.Checker;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>
/// Trace validation (tla/trace/TraceNotifierSpec.tla, `notifier validate`): reference traces are accepted
/// iff a behaviour of the TLA+ spec matches them line by line; a planted reference bug or an edited line
/// is rejected at exactly the line where the reference leaves the spec.
/// </summary>
public sealed class TraceValidationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "notifier-validate-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Scenarios whose traces use what the spec does not model, with the line and reason `validate`
    /// gives: since the spec models full-mm and invalidate_page-only listeners and device-exclusive entries, only
    /// device-private migration (migrate_to_device) is not a call site of the trace spec.</summary>
    public static readonly ImmutableDictionary<string, string> Outside = new Dictionary<string, string>
    {
        ["device_private_migration"] = "migrate_to_device: device-private migration (migrate_to_device, migrate_to_ram): not a call site of the trace spec",
        ["migrate_skip_any_owner"] = "migrate_to_device: device-private migration (migrate_to_device, migrate_to_ram): not a call site of the trace spec",
        ["exclusive_dmirror"] = "make_device_exclusive with owner NULL (exclusive_owner_null: lib/test_hmm.c dmirror_exclusive): the trace spec's make_device_exclusive passes the device as owner (nouveau's), not NULL",
    }.ToImmutableDictionary();

    /// <summary>Scenarios that plant a reference bug (a Mutant) the spec does not have: rejected at the line
    /// where the planted bug first shows (a 1-based file line, found in the trace).</summary>
    public static readonly ImmutableDictionary<string, Func<string, int>> Planted = new Dictionary<string, Func<string, int>>
    {
        // EndAfterRefusedStart: invalidate_range_end after the refused non-blockable start
        ["end_after_refused_start"] = path => LineOf(path, t => t.Contains("\"op\":\"invalidate_range_end\""),
                                                  LineOf(path, t => t.Contains("\"result\":\"EAGAIN\""))),
        // OwnerFilterAll: dev1 skips dev0's MMU_NOTIFY_EXCLUSIVE event as if it owned it
        ["exclusive_owner_filter_all"] = path => LineOf(path, t => t.Contains("\"mirror\":\"dev1\"") && t.Contains("\"reaction\":\"owner\"")),
    }.ToImmutableDictionary();

    private string Write(Session s, string name)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, name + ".jsonl");
        TraceFile.Write(path, s);
        return path;
    }

    // random runs and cut scenarios stop at a step budget, often inside an operation (exit 21 without the flag)
    /// <summary>What `notifier validate PATH` prints on stderr for a refusal (the verdict's one line), and its exit code.</summary>
    private static (int Exit, string Err) ValidateRefusal(string path)
    {
        var v = TraceChecks.Validate(path);
        Assert.True(v.ToStderr, v.Message);
        return (v.Exit, v.Message + "\n");
    }

    private static TraceVerdict Validate(string path) => TraceChecks.Validate(path, allowIncomplete: true);

    /// <summary>The 1-based file line of the first trace line after `after` (a line number) satisfying pred.</summary>
    private static int LineOf(string path, Func<string, bool> pred, int after = 0)
    {
        var lines = File.ReadAllLines(path);
        for (int i = after; i < lines.Length; i++) if (pred(lines[i])) return i + 1;
        throw new InvalidOperationException("no such line in " + path);
    }

    public static IEnumerable<object[]> AllScenarios() => Scenarios.All.Select(s => new object[] { s.Name });

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public void ScenarioTraceIsJudgedAsListed(string name)
    {
        var r = Scenarios.All.Single(s => s.Name == name).Run();
        var path = Write(r.Session, name);
        var v = Validate(path);
        if (Outside.TryGetValue(name, out var why))
        {
            Assert.Equal(ExitCodes.OutsideSpec, v.Exit);
            Assert.Contains(why, v.Message);
            Assert.Contains("outside the spec", v.Message);
        }
        else if (Planted.TryGetValue(name, out var planted))
        {
            Assert.Equal(ExitCodes.Violation, v.Exit);
            Assert.Equal(planted(path), v.Line);
        }
        else
        {
            Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
            Assert.Empty(v.LineActionDifferences);
        }
    }

    /// <summary>A copy of tla/ (NotifierSpec, NotifierEvents, trace/) with one edit of the trace spec: the path of
    /// its TraceNotifierSpec.tla.</summary>
    private string PlantedSpec(params (string From, string To)[] edits)
    {
        var tla = Path.GetDirectoryName(Path.GetDirectoryName(TraceChecks.FindSpec()))!;
        var root = Path.Combine(_dir, "tla");
        Directory.CreateDirectory(Path.Combine(root, "trace"));
        foreach (var f in Directory.GetFiles(tla, "*.tla")) File.Copy(f, Path.Combine(root, Path.GetFileName(f)));
        foreach (var f in Directory.GetFiles(Path.Combine(tla, "trace"))) File.Copy(f, Path.Combine(root, "trace", Path.GetFileName(f)));
        var spec = Path.Combine(root, "trace", "TraceNotifierSpec.tla");
        var text = File.ReadAllText(spec);
        foreach (var (from, to) in edits)
        {
            Assert.Contains(from, text);
            text = text.Replace(from, to);
        }
        File.WriteAllText(spec, text);
        return spec;
    }

    /// <summary>What validate says a line maps to is the trace spec's LineAction, held to the actions TraceNext takes:
    /// a planted difference (tlb_flush said to be IsFreeFrame's) is found at every tlb_flush line of an accepted
    /// trace, and a rejected line's "maps to" is the planted text, read from the module.</summary>
    [Fact]
    public void LineActionIsTheTraceSpecsAndAPlantedDifferenceIsFound()
    {
        // the first scenario that flushes the TLB
        var r = Scenarios.All.Where(s => !Planted.ContainsKey(s.Name)).Select(s => s.Run()).First(x => x.Session.Trace.Any(l => l.Op == "tlb_flush"));
        var path = Write(r.Session, "mapping");
        var flushes = File.ReadAllLines(path).Select((t, i) => (t, i)).Where(x => x.t.Contains("\"op\":\"tlb_flush\"")).Select(x => x.i + 1).ToList();
        Assert.NotEmpty(flushes);
        var clean = TraceChecks.Validate(path, allowIncomplete: true);
        Assert.True(clean.Accepted, clean.Message);
        Assert.Empty(clean.LineActionDifferences);

        var spec = PlantedSpec(("\"IsTlbFlush -> tlb_flush\"", "\"IsFreeFrame -> tlb_flush\""),
                               ("\"IsDeviceAccess -> device_read\"", "\"IsDeviceAccess -> planted device_read\""));
        var planted = TraceChecks.Validate(path, spec, allowIncomplete: true);
        Assert.True(planted.Accepted, planted.Message);
        Assert.Equal(flushes.Select(n => $"line {n}: LineAction says IsFreeFrame, TraceNext took IsTlbFlush"), planted.LineActionDifferences);

        path = Write(Scenarios.All.Single(s => s.Name == "anon_read").Run().Session, "mapping-read");
        var lines = File.ReadAllLines(path);
        int hit = LineOf(path, t => t.Contains("\"op\":\"device_read\"") && t.Contains("\"value\":11"));
        lines[hit - 1] = lines[hit - 1].Replace("\"value\":11", "\"value\":12");
        var edited = Path.Combine(_dir, "mapping-edited.jsonl");
        File.WriteAllLines(edited, lines);
        var rejected = TraceChecks.Validate(edited, spec, allowIncomplete: true);
        Assert.Equal(hit, rejected.Line);
        Assert.Contains("  maps to: IsDeviceAccess -> planted device_read\n", rejected.Detail);
    }

    [Fact]
    public void DeviceExclusiveEntriesRestoredByAnotherMirrorAndByForkAreAccepted()
    {
        // remove_device_exclusive_entry (MMU_NOTIFY_CLEAR since 6.15, owner NULL) from dev1's hmm_range_fault
        // (handle_mm_fault) and from fork (copy_nonpresent_pte restores the parent's entry first)
        var s = new Session(new MmConfig(8, 4, 40, Vocabulary.Upstream,
            [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm), new MirrorConfig("dev1", MirrorKind.Interval, Policy.Hmm)], Mutant.None));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(1, 2));
        s.Call(new Call.DeviceExclusive(0, 0));
        s.RunCpu();
        s.DeviceRead(1, 0);
        s.Call(new Call.DeviceExclusive(0, 1));
        s.RunCpu();
        s.Cpu(new Call.Fork());
        var path = Write(s, "exclusive-restore");
        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Count(l => l.Contains("\"op\":\"device_atomic_map\"") && l.Contains("\"frame\"")));
        Assert.Equal(2, lines.Count(l => l.Contains("\"op\":\"invalidate_range_start\"") && l.Contains("\"event\":\"MMU_NOTIFY_CLEAR\"") && l.Contains("\"owner\":null")));
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
    }

    [Theory]
    [InlineData(Vocabulary.Linux7_2)]
    [InlineData(Vocabulary.Linux6_12)]
    [InlineData(Vocabulary.Linux6_1)]
    public void MapFixedOverAMappingAndTheMprotectUpgradeAreAccepted(Vocabulary vocabulary)
    {
        // 6.12+: the spec's mmap_region (zap with the old VMA in the tree, new VMA after); 6.1: unmap_vmas (VMA first);
        // then mprotect's MM_CP_TRY_CHANGE_WRITABLE upgrade of an exclusive soft-dirty page inside its bracket
        var s = new Session(new MmConfig(8, 4, 40, vocabulary, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.HmmUnmapVma)], Mutant.None));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(1, 2));
        s.DeviceRead(0, 0);
        s.Cpu(new Call.Mmap(0, 1, Prot.Read));
        s.Cpu(new Call.Mprotect(1, 2, Prot.Read));
        s.Cpu(new Call.Mprotect(1, 2, Prot.ReadWrite));
        Assert.Equal(Prot.ReadWrite, s.State.Ptes[1]!.Value.Prot);
        Assert.Null(s.FirstViolation);
        var path = Write(s, "map-fixed-" + vocabulary);
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
    }

    [Fact]
    public void AMirrorWithASpanIsOutsideTheSpec()
    {
        // the spec's intervals cover the whole address space: a span is refused (exit 20), naming line 1
        var r = Scenarios.All.Single(s => s.Name == "anon_read").Run();
        var path = Write(r.Session, "span");
        var lines = File.ReadAllLines(path);
        Assert.Contains("\"span\":null", lines[0]);
        lines[0] = lines[0].Replace("\"span\":null", "\"span\":[0,2]");
        File.WriteAllLines(path, lines);
        var v = Validate(path);
        Assert.Equal(ExitCodes.OutsideSpec, v.Exit);
        Assert.Equal(1, v.Line);
        Assert.Contains("mirror dev0: an interval notifier covering part of the mm (span): the spec's intervals cover the address space: outside the spec", v.Message);
        Assert.Contains("outside the spec", v.Message);
    }

    [Fact]
    public void CoveredScenarioCount()
    {
        // 35 scenarios: 30 accepted, 2 planted reference bugs rejected, 3 outside the spec (device-private migration; the
        // NULL-owner make_device_exclusive of lib/test_hmm.c, exclusive_dmirror).
        // uffd_wp_consult_vma is accepted: the trace spec maps uffdio_writeprotect to the site uffd_wp_range, and the spec
        // with a consult-vma listener behaves as the reference does (its NoStaleDeviceMapping violation is tla/'s MCFailUffdWpConsultVma)
        Assert.Equal(35, Scenarios.All.Length);
        Assert.Equal(2, Planted.Count);
        Assert.Equal(3, Outside.Count);
        Assert.Equal(30, Scenarios.All.Count(s => !Planted.ContainsKey(s.Name) && !Outside.ContainsKey(s.Name)));
    }

    private static MmConfig RandomConfig(Vocabulary v, Mutant m = Mutant.None, bool twoMirrors = false, bool pageOnly = false, bool mm = false) =>
        new(8, 4, 40, v, pageOnly
            ? [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm), new MirrorConfig("old0", MirrorKind.InvalidatePage, Policy.Hmm)]
            : mm
            ? [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm), new MirrorConfig("kvm0", MirrorKind.Mm, Policy.Hmm)]
            : twoMirrors
            ? [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm), new MirrorConfig("dev1", MirrorKind.Interval, Policy.UnmapAll), new MirrorConfig("iommu0", MirrorKind.SecondaryTlb)]
            : [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)], m);

    /// <summary>Mirror sets: "one" (an interval mirror), "three" (two intervals and a hardware TLB),
    /// "pageonly" (an interval mirror and a v7 listener with only invalidate_page, which B1 leaves stale).</summary>
    public static IEnumerable<object[]> RandomCases() =>
        from v in new[] { Vocabulary.V7, Vocabulary.V7Reviewed, Vocabulary.Upstream }
        from seed in new[] { 1, 2, 4 }
        from set in new[] { "one", "three", "pageonly", "mm" }
        select new object[] { v, seed, set };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void RandomRunIsAccepted(Vocabulary vocabulary, int seed, string mirrors)
    {
        var cfg = RandomConfig(vocabulary, twoMirrors: mirrors == "three", pageOnly: mirrors == "pageonly", mm: mirrors == "mm");
        var s = RandomRun.Run(cfg, seed, 300, stopAtViolation: false, draw: Coverage.Draws(CoverageCheck.Validate));
        var path = Write(s, $"random-{vocabulary}-{seed}-{mirrors}");
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
        Assert.Empty(v.LineActionDifferences);
        Assert.True(File.ReadAllLines(path).Length >= 300);
    }

    /// <summary>A PTE-mapped large folio at [0, 4) (MmState.IsPteFolio), dev0 mirroring pages 3 and 0: a THP written at pages
    /// 1 and 2, its PMD split by mprotect 0 1 r (VMAs [0, 1) r and [1, 8) rw; merged again by mprotect 0 1 rw when merge).</summary>
    private static Session PteFolio(Vocabulary v, bool merge, bool as72 = false, bool nested = true)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)], NestedFolioSplit: nested) { PlantPteFolio6_1As7_2 = as72 });
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuWrite(2, 8));
        s.DeviceRead(0, 3);
        s.Cpu(new Call.Mprotect(0, 1, Prot.Read));
        if (merge) s.Cpu(new Call.Mprotect(0, 1, Prot.ReadWrite));
        s.DeviceRead(0, 0);
        Assert.True(s.State.IsPteFolio(new PageRange(0, 4)));
        return s;
    }

    /// <summary>MADV_FREE over part of a PTE-mapped large folio (Planner.SplitPteFolio, MmConfig.PteFolioSplit, on by default):
    /// the folio whose PMD mprotect split, split by MADV_FREE over part of it (linux-7.2 mm/madvise.c madvise_free_pte_range ->
    /// split_folio) with one try_to_migrate_one bracket per VMA ([0, 1) and [1, 4)), nested in madvise_free_single_vma's [1, 2)
    /// (MmConfig.NestedFolioSplit), pages 0 and 3 the zero page. The trace spec takes both brackets as its site split_folio
    /// (FolioRange with pte_folio_split, NestedStart with nested_folio_split); the same trace without pte_folio_split (the
    /// spec before, a folio's pages base pages) is rejected at the first split's start, no split and nested, and with the
    /// second bracket narrowed to the madvise range [1, 2) (not a VMA edge at 2: a wrong split) at its start.</summary>
    [Fact]
    public void MadviseFreeSplitOfAPteMappedFolioIsAcceptedAndRejectedWithoutTheFieldOrWithAWrongBracket()
    {
        Assert.True(new MmConfig().PteFolioSplit);
        var s = PteFolio(Vocabulary.Linux7_2, merge: false);
        s.Cpu(new Call.MadviseFree(1, 2));
        Assert.Equal(MmState.ZeroFrame, s.State.Ptes[3]!.Value.Frame);
        Assert.Equal(MmState.ZeroFrame, s.State.Ptes[0]!.Value.Frame);
        var path = Write(s, "madvise-free-pte-split");
        var lines = File.ReadAllLines(path);
        Assert.Contains("\"pte_folio_split\":true", lines[0]);
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
        int call = LineOf(path, t => t.Contains("\"op\":\"madvise_free\""));
        int outer = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), call);
        int first = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), outer);
        int second = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), first);
        Assert.Contains("\"start\":1,\"end\":2,\"event\":\"MMU_NOTIFY_CLEAR\"", lines[outer - 1]);
        Assert.Contains("\"start\":0,\"end\":1,\"event\":\"MMU_NOTIFY_CLEAR\"", lines[first - 1]);
        Assert.Contains("\"start\":1,\"end\":4,\"event\":\"MMU_NOTIFY_CLEAR\"", lines[second - 1]);

        // planted: the config line without pte_folio_split (the spec before): the first bracket is no split
        var old = Path.Combine(Path.GetDirectoryName(path)!, "madvise-free-pte-split-old.jsonl");
        File.WriteAllLines(old, [lines[0].Replace(",\"pte_folio_split\":true", ""), .. lines[1..]]);
        var w = Validate(old);
        Assert.Equal(ExitCodes.Violation, w.Exit);
        Assert.Equal(first, w.Line);

        // planted: the second bracket narrowed to the madvise range [1, 2): 2 is no VMA edge, so it is no split (FolioRange)
        // but madvise_free_single_vma's, which keeps the PTE, and page 1's migration entry is not its effect
        int end2 = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_end\""), second);
        foreach (int i in new[] { second, end2 }) lines[i - 1] = lines[i - 1].Replace("\"start\":1,\"end\":4,", "\"start\":1,\"end\":2,");
        // (dev0's callback unmaps nothing: madvise_free_single_vma's [1, 2) took page 1 first; the line stands as it is)
        Assert.Contains("\"unmapped\":[]", lines[LineOf(path, t => t.Contains("\"op\":\"invalidate\""), second) - 1]);
        File.WriteAllLines(path, lines);
        var narrowed = Validate(path);
        Assert.Equal(ExitCodes.Violation, narrowed.Exit);
        Assert.Equal(second, narrowed.Line);
        Assert.Contains("IsStart", narrowed.Detail);
    }

    /// <summary>Asserts the trace at path is rejected at the first pte_update of page 0 after its madvise_free call whose text
    /// has which ("new":null: its migration entry; "old":null: its fill), by IsPteUpdate.</summary>
    private static void RejectedAtPteUpdate(string path, string which) =>
        RejectedAt(path, LineOf(path, t => t.Contains("\"op\":\"pte_update\"") && t.Contains("\"page\":0,") && t.Contains(which),
            LineOf(path, t => t.Contains("\"op\":\"madvise_free\""))), "IsPteUpdate");

    /// <summary>Asserts the trace at path is rejected at line, the detail naming action.</summary>
    private static void RejectedAt(string path, int line, string action)
    {
        var v = Validate(path);
        Assert.Equal(ExitCodes.Violation, v.Exit);
        Assert.Equal(line, v.Line);
        Assert.Contains(action, v.Detail);
    }

    /// <summary>The order of MADV_FREE's brackets over part of a PTE-mapped large folio (MmConfig.NestedFolioSplit, on by
    /// default): the kernel's, madvise_free_single_vma's [1, 2) with the split's per-VMA brackets [0, 1) and [1, 4) nested in it
    /// (linux-7.2 mm/madvise.c madvise_free_single_vma: invalidate_range_start, walk_page_range -> madvise_free_pte_range ->
    /// split_folio -> mm/rmap.c try_to_migrate_one, invalidate_range_end), is accepted with the config field
    /// nested_folio_split, and rejected without it (a trace without the field means the order before: no nested start) at
    /// the first nested start; the order before (the splits first: NestedFolioSplit off, no field) is accepted, and rejected
    /// with the field (a split only nested) at its first split's migration entry, which as madvise_free_single_vma's it is not.</summary>
    [Fact]
    public void MadviseFreeSplitNestedInItsBracketIsAcceptedWithTheFieldAndTheOrderBeforeOnlyWithout()
    {
        var nested = PteFolio(Vocabulary.Linux7_2, merge: false);
        nested.Cpu(new Call.MadviseFree(1, 2));
        var before = PteFolio(Vocabulary.Linux7_2, merge: false, nested: false);
        before.Cpu(new Call.MadviseFree(1, 2));
        var pn = Write(nested, "madvise-free-nested");
        var pb = Write(before, "madvise-free-before");
        string[] ln = File.ReadAllLines(pn), lb = File.ReadAllLines(pb);
        Assert.Contains(",\"nested_folio_split\":true", ln[0]);
        Assert.DoesNotContain("nested_folio_split", lb[0]);
        // the brackets as they open and close
        static string Brackets(string[] lines) => string.Join(" ", lines.SkipWhile(t => !t.Contains("\"op\":\"madvise_free\""))
            .Where(t => t.Contains("\"op\":\"invalidate_range_"))
            .Select(t => (t.Contains("invalidate_range_start") ? "start" : "end") + t[(t.IndexOf("\"start\":", StringComparison.Ordinal) + 8)..].Split(',')[0]
                + "-" + t[(t.IndexOf("\"end\":", StringComparison.Ordinal) + 6)..].Split(',', '}')[0]));
        Assert.Equal("start1-2 start0-1 end0-1 start1-4 end1-4 end1-2", Brackets(ln));
        Assert.Equal("start0-1 end0-1 start1-4 end1-4 start1-2 end1-2", Brackets(lb));
        Assert.True(Validate(pn).Accepted);
        Assert.True(Validate(pb).Accepted);
        int call = LineOf(pn, t => t.Contains("\"op\":\"madvise_free\""));
        int nestedStart = LineOf(pn, t => t.Contains("\"op\":\"invalidate_range_start\""), LineOf(pn, t => t.Contains("\"op\":\"invalidate_range_start\""), call));

        // planted: the nested trace without the field: no start while madvise_free_single_vma's is open
        var pnOld = Path.Combine(_dir, "madvise-free-nested-without-field.jsonl");
        File.WriteAllLines(pnOld, [ln[0].Replace(",\"nested_folio_split\":true", ""), .. ln[1..]]);
        var r = Validate(pnOld);
        Assert.Equal(ExitCodes.Violation, r.Exit);
        Assert.Equal(nestedStart, r.Line);

        // planted: the order before with the field: the first bracket [0, 1) cannot be a split (not nested), so it is
        // madvise_free_single_vma's, which keeps page 0 mapped: rejected at page 0's migration entry
        var pbNew = Path.Combine(_dir, "madvise-free-before-with-field.jsonl");
        File.WriteAllLines(pbNew, [lb[0][..^1] + ",\"nested_folio_split\":true}", .. lb[1..]]);
        RejectedAtPteUpdate(pbNew, "\"new\":null");

        // planted spec: without IsStart's "a split only nested" the order before passes with the field too
        var loose = PlantedSpec(("/\\ TraceNestedFolioSplit => (site = \"split_folio\" <=> NestedStart)", "/\\ TRUE"));
        Assert.True(TraceChecks.Validate(pbNew, loose, allowIncomplete: true).Accepted);
    }

    /// <summary>linux-6.1 MADV_FREE over a PTE-mapped large folio (Planner.SplitsEveryPteFolio): linux-6.1 mm/madvise.c
    /// madvise_free_pte_range splits every large folio it meets (split_folio), over part of it (a try_to_migrate_one bracket
    /// per VMA, [0, 1) and [1, 4)) or all of it in one VMA (one bracket [0, 4), the call's own range: 6.12 and later split
    /// nothing there), and every subpage stays mapped (mm/huge_memory.c remap_page: no zero page in 6.1). The trace spec takes
    /// the whole-block bracket as split_folio under linux-6.1 only (FolioRange: SplitsEveryPteFolio): the same trace under
    /// linux-6.12 is rejected at that bracket's start (nested in madvise_free_single_vma's, so a split or nothing). Under
    /// linux-6.1 a fill during MADV_FREE maps the page's own frame
    /// back (IsPteUpdate): the planted reference's zero page (PlantPteFolio6_1As7_2) is rejected at page 0's fill.</summary>
    [Fact]
    public void Linux6_1MadviseFreeSplitsOfAPteMappedFolioAreAcceptedAndTheWholeOneOnlyUnder6_1()
    {
        var part = PteFolio(Vocabulary.Linux6_1, merge: false);
        part.Cpu(new Call.MadviseFree(1, 2));
        var whole = PteFolio(Vocabulary.Linux6_1, merge: true);
        whole.Cpu(new Call.MadviseFree(0, 4));
        whole.Cpu(new Call.CpuRead(3));
        foreach (var (s, name, brackets) in new[] { (part, "part", new[] { "1,\"end\":2", "0,\"end\":1", "1,\"end\":4" }), (whole, "whole", new[] { "0,\"end\":4", "0,\"end\":4" }) })
        {
            Assert.DoesNotContain(s.Trace, l => l.Kind == "call" && l.Get("result") is not null);
            Assert.False(s.State.IsPteFolio(new PageRange(0, 4)));
            Assert.DoesNotContain(Enumerable.Range(0, 4), p => s.State.Ptes[p]!.Value.Frame == MmState.ZeroFrame);
            Assert.Null(s.FirstViolation);
            var path = Write(s, "madvise-free-pte-split-6.1-" + name);
            var lines = File.ReadAllLines(path);
            int call = LineOf(path, t => t.Contains("\"op\":\"madvise_free\""));
            Assert.Equal(brackets.Select(b => $"\"start\":{b},\"event\":\"MMU_NOTIFY_CLEAR\""),
                lines.Skip(call).Where(t => t.Contains("\"op\":\"invalidate_range_start\"")).Select(t => t[t.IndexOf("\"start\":", StringComparison.Ordinal)..(t.IndexOf("MMU_NOTIFY_CLEAR", StringComparison.Ordinal) + 17)]));
            var v = Validate(path);
            Assert.True(v.Exit == ExitCodes.Ok, name + ": " + v.Message + "\n" + v.Detail);
        }
        // planted: the whole trace under linux-6.12, whose walk batches the whole folio: its split bracket is no split there
        var path12 = Path.Combine(_dir, "madvise-free-pte-split-6.1-whole-as-6.12.jsonl");
        var w = File.ReadAllLines(Path.Combine(_dir, "madvise-free-pte-split-6.1-whole.jsonl"));
        Assert.Contains("\"vocabulary\":\"linux-6.1\"", w[0]);
        File.WriteAllLines(path12, [w[0].Replace("\"vocabulary\":\"linux-6.1\"", "\"vocabulary\":\"linux-6.12\""), .. w[1..]]);
        // (the split's bracket is the second, nested in madvise_free_single_vma's)
        int nested = LineOf(path12, t => t.Contains("\"op\":\"invalidate_range_start\""),
            LineOf(path12, t => t.Contains("\"op\":\"invalidate_range_start\""), LineOf(path12, t => t.Contains("\"op\":\"madvise_free\""))));
        var r = Validate(path12);
        Assert.Equal(ExitCodes.Violation, r.Exit);
        Assert.Equal(nested, r.Line);

        // planted: the reference that splits as 7.2 under 6.1 (MmConfig.PlantPteFolio6_1As7_2) maps the zero-filled page 0
        // to the zero page after the split; 6.1's remap maps it back to its own page: rejected at that fill
        var planted = PteFolio(Vocabulary.Linux6_1, merge: false, as72: true);
        planted.Cpu(new Call.MadviseFree(1, 2));
        Assert.Equal(MmState.ZeroFrame, planted.State.Ptes[0]!.Value.Frame);
        var pathPlanted = Write(planted, "madvise-free-pte-split-6.1-planted");
        RejectedAtPteUpdate(pathPlanted, "\"old\":null");

        // planted specs: without FolioRange's 6.1 clause the whole split is rejected (at its nested start); without
        // the 6.1 fill check the planted reference's zero page is accepted
        var noClause = PlantedSpec(("/\\ TracePteFolioSplit /\\ TraceVocabulary = \"linux-6.1\"", "/\\ FALSE"));
        var wholePath = Path.Combine(_dir, "madvise-free-pte-split-6.1-whole.jsonl");
        var rw = TraceChecks.Validate(wholePath, noClause, allowIncomplete: true);
        Assert.Equal(ExitCodes.Violation, rw.Exit);
        Assert.Equal(LineOf(wholePath, t => t.Contains("\"op\":\"invalidate_range_start\""),
            LineOf(wholePath, t => t.Contains("\"op\":\"invalidate_range_start\""), LineOf(wholePath, t => t.Contains("\"op\":\"madvise_free\"")))), rw.Line);
        Directory.Delete(Path.Combine(_dir, "tla"), recursive: true);
        var noFill = PlantedSpec(("/\\ TraceVocabulary = \"linux-6.1\" /\\ tcall.op = \"madvise_free\"", "/\\ FALSE"));
        Assert.True(TraceChecks.Validate(pathPlanted, noFill, allowIncomplete: true).Accepted);
    }

    /// <summary>A subpage zero-filled when MADV_FREE over part of a THP was planned, written by dev0 through its mapping before
    /// the split's callback: the remap keeps it (Prim.ZeroRemap) and madvise_free_single_vma then makes it old (Prim.IfKept).
    /// The trace (the device write between the call line and the first bracket) is accepted, PMD- and PTE-mapped.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MadviseFreeSplitKeepingASubpageADeviceWroteAfterThePlanIsAccepted(bool pteMapped)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)]));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        if (pteMapped) s.Cpu(new Call.Mprotect(0, 1, Prot.Read));
        s.DeviceWrite(0, 2, 0);
        int frame = s.State.Ptes[2]!.Value.Frame;
        s.Call(new Call.MadviseFree(2, 3));
        s.Call(new Call.DeviceWrite(0, 2, 5));
        s.Device(0);
        s.RunCpu();
        Assert.True(s.State.Ptes[2] is { Dirty: false, Young: false } p && p.Frame == frame);
        Assert.True(s.State.Frames[frame].Lazyfree);
        var path = Write(s, $"madvise-free-split-kept-{pteMapped}");
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
        Assert.Empty(v.LineActionDifferences);
    }

    /// <summary>MADV_FREE over part of a PMD-mapped THP (linux-7.2 mm/huge_memory.c madvise_free_huge_pmd -> split_folio):
    /// the reference's split bracket (MMU_NOTIFY_CLEAR over the whole folio, migration entries, then the remap with the zero
    /// page for zero-filled subpages), nested in madvise_free_single_vma's [2, 3), is the trace spec's site split_folio,
    /// accepted; the same trace with the split notified over the madvise range only is rejected at that start: nested in
    /// madvise_free's bracket it can only be a split (NestedStart), and [2, 3) is no folio's range (FolioRange).</summary>
    [Fact]
    public void MadviseFreeFolioSplitIsAcceptedAndASplitNotifiedOverTheMadviseRangeOnlyIsRejected()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)]));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.DeviceRead(0, 0);
        s.Cpu(new Call.MadviseFree(2, 3));
        Assert.Equal(MmState.ZeroFrame, s.State.Ptes[0]!.Value.Frame);
        var path = Write(s, "madvise-free-split");
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
        int call = LineOf(path, t => t.Contains("\"op\":\"madvise_free\""));
        int outer = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), call);
        int start = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), outer);
        int end = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_end\""), start);
        var lines = File.ReadAllLines(path);
        Assert.Contains("\"start\":2,\"end\":3,\"event\":\"MMU_NOTIFY_CLEAR\"", lines[outer - 1]);
        // planted spec: madvise_free_single_vma's effect held to the PTE page 2 had at its start, not to the zero page the
        // nested split's remap mapped (IsPteUpdate's tmm update): rejected at its tlb_flush
        var noRemap = PlantedSpec(("THEN [tmm EXCEPT !.start[p] = new] ELSE tmm", "THEN tmm ELSE tmm"));
        var stale = TraceChecks.Validate(path, noRemap, allowIncomplete: true);
        Assert.Equal(ExitCodes.Violation, stale.Exit);
        Assert.Equal(LineOf(path, t => t.Contains("\"op\":\"tlb_flush\"") && t.Contains("\"start\":2,\"end\":3"), call), stale.Line);
        Directory.Delete(Path.Combine(_dir, "tla"), recursive: true);
        Assert.Contains("\"start\":0,\"end\":4,\"event\":\"MMU_NOTIFY_CLEAR\"", lines[start - 1]);
        foreach (int i in new[] { start, end }) lines[i - 1] = lines[i - 1].Replace("\"start\":0,\"end\":4,", "\"start\":2,\"end\":3,");
        // dev0's callback then unmaps nothing (it had pages 0 and 1, outside [2, 3))
        int callback = LineOf(path, t => t.Contains("\"op\":\"invalidate\""), start);
        Assert.Contains("\"unmapped\":[0,1]", lines[callback - 1]);
        lines[callback - 1] = lines[callback - 1].Replace("\"unmapped\":[0,1]", "\"unmapped\":[]");
        File.WriteAllLines(path, lines);
        var narrowed = Validate(path);
        Assert.Equal(ExitCodes.Violation, narrowed.Exit);
        Assert.Equal(start, narrowed.Line);
        Assert.Contains("IsStart", narrowed.Detail);
    }

    /// <summary>A fault collides with a munmap: the callback must call mmu_interval_set_seq, so read_retry says retry.</summary>
    private static Session Collision(Mutant m)
    {
        var s = new Session(RandomConfig(Vocabulary.Upstream, m));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(2, 9));
        s.Call(new Call.DeviceRead(0, 2));
        while (s.State.Mirrors[0].Op is { Phase: not DevicePhase.Lock }) s.Step(Machine.CanStep(s.State, 0) ? 0 : Machine.Cpu);
        s.Cpu(new Call.Munmap(2, 4));
        s.Device(0);
        return s;
    }

    [Fact]
    public void CollisionWithoutMutantIsAccepted()
    {
        var v = Validate(Write(Collision(Mutant.None), "collision"));
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
    }

    [Fact]
    public void SkippedSetSeqIsRejectedAtTheReadRetry()
    {
        // Mutant SkipSetSeq (M4): read_retry answers ok although the invalidation hit the subscription
        var path = Write(Collision(Mutant.SkipSetSeq), "skip-set-seq");
        int retry = LineOf(path, t => t.Contains("\"op\":\"mmu_interval_read_retry\""));
        Assert.Contains("\"result\":\"ok\"", File.ReadAllLines(path)[retry - 1]);
        var v = Validate(path);
        Assert.Equal(ExitCodes.Violation, v.Exit);
        Assert.Equal(retry, v.Line);
        Assert.Contains("IsReadRetry -> mmu_interval_read_retry", v.Detail);
        Assert.Contains("hit = <<TRUE>>", v.Detail);
    }

    [Fact]
    public void PteChangedOutsideTheInvalidationIsRejectedThere()
    {
        // Mutant ForkNoEvent: fork write-protects the parent's PTEs without invalidate_range_start
        var s = new Session(RandomConfig(Vocabulary.Upstream, Mutant.ForkNoEvent));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.Fork());
        var path = Write(s, "fork-no-event");
        int fork = LineOf(path, t => t.Contains("\"op\":\"fork\""));
        RejectedAt(path, LineOf(path, t => t.Contains("\"op\":\"pte_update\""), fork), "IsPteUpdate");
    }

    [Fact]
    public void EditedLineIsRejectedAtThatLine()
    {
        var r = Scenarios.All.Single(s => s.Name == "anon_read").Run();
        var path = Write(r.Session, "edited");
        path = Write(Scenarios.All.Single(s => s.Name == "anon_read").Run().Session, "mapping-read");
        var lines = File.ReadAllLines(path);
        int hit = LineOf(path, t => t.Contains("\"op\":\"device_read\"") && t.Contains("\"value\":11"));
        lines[hit - 1] = lines[hit - 1].Replace("\"value\":11", "\"value\":12");
        File.WriteAllLines(path, lines);
        var v = Validate(path);
        Assert.Equal(ExitCodes.Violation, v.Exit);
        Assert.Equal(hit, v.Line);
        Assert.StartsWith($"{path}:{hit}: rejected", v.Message);
        // what the line maps to and the state shown are the trace spec's LineAction and TraceAlias
        Assert.Contains($"  line {hit}: {lines[hit - 1]}\n  maps to: IsDeviceAccess -> device_read\n", v.Detail);
        Assert.Contains("\n    pte = {[frame |-> ", v.Detail);
    }

    [Fact]
    public void MalformedJsonIsAOneLineError()
    {
        var r = Scenarios.All.Single(s => s.Name == "anon_write").Run();
        var path = Write(r.Session, "malformed");
        var lines = File.ReadAllLines(path);
        lines[2] = lines[2].Replace("\"op\":", "\"op\" ");
        File.WriteAllLines(path, lines);
        var (exit, err) = ValidateRefusal(path);
        Assert.Equal(ExitCodes.Error, exit);
        var text = err.ToString().TrimEnd();
        Assert.DoesNotContain('\n', text);
        int col = lines[2].IndexOf("\"op\" ", StringComparison.Ordinal) + "\"op\" ".Length + 1;
        Assert.StartsWith($"{path}:3:{col}: malformed trace: invalid JSON: ", text);
    }

    [Theory]
    [InlineData("\"op\":\"mmap\"", "\"op\":\"frobnicate\"", "op", "field 'op': unknown call 'frobnicate' (known: mmap, munmap, ")]
    [InlineData("\"page\":1", "\"page\":99", "page", "field 'page': 99 is out of range [0, 15]")]
    [InlineData("\"actor\":\"dev0\"", "\"actor\":\"gpu9\"", "actor", "field 'actor': no mirror named 'gpu9' in the config")]
    public void AnUnknownOperationAnAddressOutOfRangeOrAnUnknownActorIsAOneLineError(string from, string to, string field, string message)
    {
        // as `notifier replay`: never accepted silently (a call line the spec does not constrain would be)
        var r = Scenarios.All.Single(s => s.Name == "anon_write").Run();
        var path = Write(r.Session, "bad-" + field);
        var lines = File.ReadAllLines(path);
        int at = Array.FindIndex(lines, l => l.Contains(from, StringComparison.Ordinal));
        Assert.True(at > 0, $"no line with {from}");
        lines[at] = lines[at].Replace(from, to);
        File.WriteAllLines(path, lines);
        var (exit, err) = ValidateRefusal(path);
        Assert.Equal(ExitCodes.Error, exit);
        int col = lines[at].IndexOf($"\"{field}\"", StringComparison.Ordinal) + 1;
        Assert.StartsWith($"{path}:{at + 1}:{col}: malformed trace: {message}", err.ToString().TrimEnd());
        Assert.DoesNotContain('\n', err.ToString().TrimEnd());
    }

    [Fact]
    public void ForkWithoutWriteProtectIsRejectedAtTheChildCopy()
    {
        // Mutant CowForgetsWriteProtect (B14): fork copies the parent's writable PTEs without COW
        var s = new Session(RandomConfig(Vocabulary.Upstream, Mutant.CowForgetsWriteProtect));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.Fork());
        var path = Write(s, "cow-forgets-wp");
        int copy = LineOf(path, t => t.Contains("\"op\":\"copy_pte_range\""));
        var v = Validate(path);
        Assert.Equal(ExitCodes.Violation, v.Exit);
        Assert.Equal(copy, v.Line);
        Assert.Contains("IsStutter", v.Detail);
        // the same calls without the mutant: accepted
        var ok = new Session(RandomConfig(Vocabulary.Upstream));
        ok.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        ok.Cpu(new Call.CpuWrite(1, 5));
        ok.Cpu(new Call.Fork());
        Assert.Equal(ExitCodes.Ok, Validate(Write(ok, "cow")).Exit);
    }

    [Fact]
    public void NarrowRangeIsRejectedAtTheUncoveredChange()
    {
        // Mutant RangeOnePageShort (M2): munmap [0,4) notifies [0,3) and clears page 3 outside it
        var s = new Session(RandomConfig(Vocabulary.Upstream, Mutant.RangeOnePageShort));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 7));
        s.Cpu(new Call.Munmap(0, 4));
        var path = Write(s, "narrow");
        int start = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""));
        Assert.Contains("\"end\":3", File.ReadAllLines(path)[start - 1]);
        int pte = LineOf(path, t => t.Contains("\"op\":\"pte_update\"") && t.Contains("\"page\":3"), start);
        var v = Validate(path);
        Assert.Equal(ExitCodes.Violation, v.Exit);
        Assert.Equal(pte, v.Line);
    }

    // Two findings of trace validation, fixed in reference/ (the reference had left the kernel's protocol
    // there; tests/Reference.Tests pins each fix): the same runs now validate.

    [Fact]
    public void ReleaseWaitsForTheDriverLock()
    {
        // mn_itree_release calls dmirror_interval_invalidate, which takes dmirror->mutex (lib/test_hmm.c)
        var s = new Session(RandomConfig(Vocabulary.V7));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Call(new Call.DeviceRead(0, 0));
        while (!s.State.Mirrors[0].Locked) s.Step(Machine.CanStep(s.State, 0) ? 0 : Machine.Cpu);
        s.Call(new Call.Exit());
        while (Machine.CanStep(s.State, Machine.Cpu)) s.Step(Machine.Cpu); // up to the release, which waits
        s.Drain(new Random(1));
        var path = Write(s, "release-waits");
        Assert.True(LineOf(path, t => t.Contains("\"op\":\"device_unlock\"")) < LineOf(path, t => t.Contains("\"op\":\"release\"")));
        Assert.Equal(ExitCodes.Ok, Validate(path).Exit);
    }

    private static Session TwoPassRefused(Mutant m, bool refuse = true)
    {
        // gpu0 (two-pass) starts, dev1 holds its lock: the OOM reaper's start is refused; the finish pass queued
        // by gpu0 still runs, then mn_itree_inv_end (mm/mmu_notifier.c mn_itree_invalidate)
        var s = new Session(new MmConfig(8, 4, 40, Vocabulary.Upstream,
            [new MirrorConfig("gpu0", MirrorKind.Interval, Policy.TwoPass), new MirrorConfig("dev1", MirrorKind.Interval, Policy.Hmm)], m));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        if (refuse)
        {
            s.Call(new Call.DeviceRead(1, 0));
            while (!s.State.Mirrors[1].Locked) s.Step(1);
            s.Call(new Call.OomReap());
            while (s.State.Op is not null) s.Step(Machine.Cpu);
            s.Device(1);
        }
        s.Cpu(new Call.Munmap(0, 4));
        return s;
    }

    [Fact]
    public void TwoPassFinishAfterARefusedStartIsAccepted()
    {
        var path = Write(TwoPassRefused(Mutant.None), "two-pass-refused");
        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Count(l => l.Contains("\"op\":\"invalidate_finish\"")));
        Assert.True(LineOf(path, t => t.Contains("\"result\":\"EAGAIN\"")) < LineOf(path, t => t.Contains("\"op\":\"invalidate_finish\"")));
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
    }

    [Fact]
    public void TwoPassFinishAtEndIsRejectedAtThePteChange()
    {
        // the reference mutant FinishPassAtEnd (tla/ bug two_pass_finish_at_end): the PTE changes while gpu0's finish is due
        var path = Write(TwoPassRefused(Mutant.FinishPassAtEnd, refuse: false), "two-pass-late");
        var v = Validate(path);
        Assert.Equal(ExitCodes.Violation, v.Exit);
        int munmapStart = LineOf(path, t => t.Contains("\"kind\":\"call\"") && t.Contains("\"op\":\"munmap\""));
        Assert.Equal(LineOf(path, t => t.Contains("\"op\":\"pte_update\""), munmapStart), v.Line);
    }

    [Fact]
    public void KsmReplaceKeepsTheVmaProtection()
    {
        // replace_page maps the KSM page with mk_pte(kpage, vma->vm_page_prot) (mm/ksm.c): PROT_NONE stays none
        var s = new Session(RandomConfig(Vocabulary.Upstream));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.Mprotect(0, 4, Prot.None));
        s.Cpu(new Call.KsmMerge(0, 1));
        var path = Write(s, "ksm-none");
        Assert.Equal(ExitCodes.Ok, Validate(path).Exit);
    }

    /// <summary>A session with dev0 (an interval notifier) whose pages 11 and 13 hold 9 and are merged by KSM onto one frame
    /// (returned: kf), in VMA [8, 16).</summary>
    private static (Session S, int KsmFrame) KsmPair(Vocabulary vocabulary)
    {
        var s = new Session(new MmConfig(16, 4, 48, vocabulary, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)]));
        s.Cpu(new Call.Mmap(8, 16, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(11, 9));
        s.Cpu(new Call.CpuWrite(13, 9));
        s.Cpu(new Call.KsmMerge(13, 11));
        return (s, s.State.Ptes[11]!.Value.Frame);
    }

    /// <summary>mremap over a KSM page (linux-7.2 mm/mremap.c prep_move_vma, 6.12 and 6.1 move_vma -> ksm_madvise(MADV_UNMERGEABLE)
    /// -> mm/ksm.c break_ksm -> mm/memory.c wp_page_copy): the reference breaks it first (MmConfig.MremapBreakKsm, on by default),
    /// a CLEAR bracket over the page whose copy is read-only on 7.2 (FAULT_FLAG_UNSHARE) and writable on 6.1 (FAULT_FLAG_WRITE),
    /// then the move's UNMAP bracket; the trace spec (NotifierSpec.tla MremapBreakKsm) accepts it. Planted: the same trace
    /// without the config field (the spec before the break: mremap's only CLEAR bracket is a THP split) is rejected at the
    /// break's start line (a split notifies one whole huge block, TraceNotifierSpec SplitBlock; before that check, at the
    /// break's PTE change, the split keeping the frame), and the break's copy mapped with the other release's protection at
    /// that PTE change.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux7_2, "r", "rw")]
    [InlineData(Vocabulary.Linux6_1, "rw", "r")]
    public void MremapBreaksAKsmPageBeforeTheMoveAndTheOldSpecRejectsIt(Vocabulary vocabulary, string copy, string planted)
    {
        var (s, kf) = KsmPair(vocabulary);
        Assert.True(s.State.Config.MremapBreakKsm);
        Assert.True(s.State.Frames[kf].Ksm);
        s.DeviceRead(0, 11);
        s.Cpu(new Call.Mremap(9, 12, 2));
        Assert.NotEqual(kf, s.State.Ptes[4]!.Value.Frame);
        Assert.Equal(9, s.CpuView(4));
        var path = Write(s, "mremap-ksm-break");
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
        var lines = File.ReadAllLines(path);
        Assert.Contains("\"mremap_break_ksm\":true", lines[0]);
        // the break (CLEAR over page 11, its PTE onto a new frame, dev0's mapping of the KSM page unmapped) before the move (UNMAP)
        int call = LineOf(path, t => t.Contains("\"kind\":\"call\"") && t.Contains("\"op\":\"mremap\""));
        int brk = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), call);
        Assert.Contains("\"start\":11,\"end\":12,\"event\":\"MMU_NOTIFY_CLEAR\"", lines[brk - 1]);
        Assert.Contains("\"unmapped\":[11]", lines[LineOf(path, t => t.Contains("\"op\":\"invalidate\""), brk) - 1]);
        int pte = LineOf(path, t => t.Contains("\"op\":\"pte_update\"") && t.Contains("\"page\":11,"), brk);
        Assert.Contains($"\"new\":{{\"frame\":", lines[pte - 1]);
        Assert.DoesNotContain($"\"new\":{{\"frame\":{kf},", lines[pte - 1]);
        Assert.Contains($"\"prot\":\"{copy}\"", lines[pte - 1][lines[pte - 1].IndexOf("\"new\"", StringComparison.Ordinal)..]);
        int move = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), pte);
        Assert.Contains("\"start\":9,\"end\":12,\"event\":\"MMU_NOTIFY_UNMAP\"", lines[move - 1]);
        // planted: the config line without mremap_break_ksm, the spec before the break
        File.WriteAllLines(path, [lines[0].Replace(",\"mremap_break_ksm\":true", ""), .. lines[1..]]);
        var old = Validate(path);
        Assert.Equal(ExitCodes.Violation, old.Exit);
        Assert.Equal(brk, old.Line);
        Assert.Contains("IsStart", old.Detail);
        // planted: the copy mapped with the other release's protection
        int at = lines[pte - 1].IndexOf("\"new\"", StringComparison.Ordinal);
        string edited = lines[pte - 1][..at] + lines[pte - 1][at..].Replace($"\"prot\":\"{copy}\"", $"\"prot\":\"{planted}\"");
        Assert.NotEqual(lines[pte - 1], edited);
        File.WriteAllLines(path, [.. lines[..(pte - 1)], edited, .. lines[pte..]]);
        var prot = Validate(path);
        Assert.Equal(ExitCodes.Violation, prot.Exit);
        Assert.Equal(pte, prot.Line);
    }

    /// <summary>A CPU write fault on a KSM page mapped once (the other mapping unmapped): linux-7.2 and 6.12 mm/memory.c
    /// do_wp_page -> wp_can_reuse_anon_folio and linux-6.1 do_wp_page's inline test return false for folio_test_ksm, so the
    /// page is copied (wp_page_copy, MMU_NOTIFY_CLEAR); the reference copies it (MmConfig.KsmWriteCopies, on by default) and
    /// the trace spec (NotifierSpec.tla KsmWriteCopies) accepts it. Planted: the same trace without the config field (the
    /// spec before: its write fault copies only a page shared with a forked child) is rejected at the copy's bracket.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux7_2, "IsStart")]
    [InlineData(Vocabulary.Linux6_1, "IsStart")]
    public void AWriteFaultCopiesAKsmPageMappedOnceAndTheOldSpecRejectsIt(Vocabulary vocabulary, string rejectedBy)
    {
        var (s, kf) = KsmPair(vocabulary);
        Assert.True(s.State.Config.KsmWriteCopies);
        s.Cpu(new Call.Munmap(13, 14));
        Assert.Equal((1, true), (s.State.Frames[kf].MapCount, s.State.Frames[kf].Ksm));
        s.DeviceRead(0, 11);
        s.Cpu(new Call.CpuWrite(11, 5));
        Assert.NotEqual(kf, s.State.Ptes[11]!.Value.Frame);
        Assert.True(s.State.Frames[kf].Free);
        Assert.Equal(5, s.CpuView(11));
        var path = Write(s, "ksm-write-copy");
        var v = Validate(path);
        Assert.True(v.Exit == ExitCodes.Ok, v.Message + "\n" + v.Detail);
        var lines = File.ReadAllLines(path);
        Assert.Contains("\"ksm_write_copies\":true", lines[0]);
        // the copy: CLEAR over page 11, dev0's mapping of the KSM page unmapped, the PTE onto a new frame, writable
        int call = LineOf(path, t => t.Contains("\"kind\":\"call\"") && t.Contains("\"op\":\"cpu_write\"") && t.Contains("\"page\":11,\"value\":5"));
        int copy = LineOf(path, t => t.Contains("\"op\":\"invalidate_range_start\""), call);
        Assert.Contains("\"start\":11,\"end\":12,\"event\":\"MMU_NOTIFY_CLEAR\"", lines[copy - 1]);
        Assert.Contains("\"unmapped\":[11]", lines[LineOf(path, t => t.Contains("\"op\":\"invalidate\""), copy) - 1]);
        int pte = LineOf(path, t => t.Contains("\"op\":\"pte_update\"") && t.Contains("\"page\":11,"), copy);
        Assert.DoesNotContain($"\"new\":{{\"frame\":{kf},", lines[pte - 1]);
        Assert.Contains("\"prot\":\"rw\"", lines[pte - 1][lines[pte - 1].IndexOf("\"new\"", StringComparison.Ordinal)..]);
        // planted: the config line without ksm_write_copies, the spec before (a write fault copies a COW page only):
        // rejected at the bracket's start; on 7.2 the bracket matched remove_device_exclusive_entry's (MMU_NOTIFY_CLEAR
        // there since 6.15) and was rejected at the copy's PTE change until IsStart imposed SiteApplicable (that site
        // needs a device-exclusive entry)
        File.WriteAllLines(path, [lines[0].Replace(",\"ksm_write_copies\":true", ""), .. lines[1..]]);
        var old = Validate(path);
        Assert.Equal(ExitCodes.Violation, old.Exit);
        Assert.Equal(rejectedBy == "IsStart" ? copy : pte, old.Line);
        Assert.Contains(rejectedBy, old.Detail);
    }
}
