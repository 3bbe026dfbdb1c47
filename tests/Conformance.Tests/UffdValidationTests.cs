using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>`notifier validate` on userfaultfd registration (tla/trace/TraceNotifierSpec.tla CandSites, UffdResolve):
/// UFFDIO_REGISTER changes VMA flags only, UFFDIO_WRITEPROTECT mode WP write-protects, mode 0 (the call line's
/// "wp": false) and UFFDIO_UNREGISTER may make an exclusive page writable again under uffd_wp_range.</summary>
public sealed class UffdValidationTests() : TraceDirTests("notifier-uffd-validate")
{
    private string Trace(string name)
    {
        var s = new Session(new MmConfig(8, 4, 40, Vocabulary.Linux7_2, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuRead(5));
        s.DeviceRead(0, 1);
        s.Cpu(new Call.UffdRegister(0, 6));
        s.Cpu(new Call.UffdWriteProtect(0, 8)); // [0, 6) protected, then ENOENT at [6, 8), not registered (mwriteprotect_range)
        s.Cpu(new Call.UffdWriteProtect(0, 6));
        s.Cpu(new Call.UffdWriteProtect(1, 2, Wp: false)); // the handler's un-protect: page 1 writable again
        s.Cpu(new Call.CpuWrite(1, 8));
        s.Cpu(new Call.UffdWriteProtect(0, 6));
        s.Cpu(new Call.UffdUnregister(0, 8)); // page 1 writable again, the zero page's bit cleared
        Assert.Null(s.FirstViolation);
        Assert.True(s.State.Ptes[1]!.Value.Writable);
        return Written(s, name);
    }

    [Fact]
    public void Register_write_protect_unprotect_and_unregister_are_accepted()
    {
        // spec/ (Z3) takes UFFDIO_WRITEPROTECT's bracket as MMU_NOTIFY_PROTECTION_VMA with the VMA unchanged (vma_set=false):
        // mode WP write-protects with the uffd-wp bit (MM_CP_UFFD_WP), mode 0 and unregister clear it and may make a PTE
        // writable (MM_CP_UFFD_WP_RESOLVE); it was rejected at the write-protect, read as the VMA's new protection (read-write)
        AssertAccepted(Trace("uffd"));
    }

    /// <summary>The trace accepted by the trace spec (validate), the reference's replay and spec/'s refinement.</summary>
    private static void AssertAccepted(string path)
    {
        foreach (var v in new[] { TraceChecks.Validate(path), TraceChecks.Replay(path), TraceChecks.Refine(path) })
            Assert.True(v.Accepted, v.Message);
    }

    /// <summary>KSM merge of uffd-wp pages (Reference.Tests UffdTests): write_protect_page cleans the kept page's PTE, keeping
    /// its uffd-wp bit; replace_page maps the KSM page without the bit; a write there then copies it without the handler.
    /// The trace spec, the reference's replay and spec/'s refinement take it.</summary>
    [Fact]
    public void Ksm_merge_of_uffd_wp_pages_is_accepted()
    {
        var s = new Session(new MmConfig(8, 4, 40, Vocabulary.Linux7_2, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.CpuWrite(3, 5));
        s.DeviceRead(0, 1);
        s.Cpu(new Call.UffdRegister(0, 8));
        s.Cpu(new Call.UffdWriteProtect(0, 8));
        s.Cpu(new Call.KsmMerge(3, 1));
        s.Cpu(new Call.CpuWrite(1, 6));
        s.DeviceRead(0, 1);
        Assert.Null(s.FirstViolation);
        Assert.Equal(6, s.CpuView(1));
        AssertAccepted(Written(s, "ksm"));
    }

    /// <summary>UFFDIO_REGISTER and mlock of part of a PMD-mapped block split its PMD at the new VMA edge (mm/vma.c __split_vma
    /// -> vma_adjust_trans_huge), none at a reference piece boundary inside the kernel's VMA; the trace spec takes both splits
    /// (mlock's: CandSites since session 14; before, the trace was rejected at mlock's first invalidate_range_start).</summary>
    [Fact]
    public void Register_and_mlock_splitting_a_huge_pmd_are_accepted()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(9, 7));
        s.Cpu(new Call.CpuWrite(1, 3));
        s.DeviceRead(0, 9);
        s.Cpu(new Call.Mprotect(3, 10, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(5, 16));
        s.Cpu(new Call.Mlock(2, 16));
        s.DeviceRead(0, 1);
        Assert.Null(s.FirstViolation);
        Assert.False(s.State.Ptes[1]!.Value.Huge);
        AssertAccepted(Written(s, "split"));
    }

    /// <summary>mlock's population faults (session 16: Prim.Populate): the copy of a page fork shared (wp_page_copy), and a THP
    /// fork shared split once (do_huge_pmd_wp_page's fallback) and copied page by page, with a device reading between; the
    /// trace spec takes them as mlock's call sites (CandSites: mm/gup.c populate_vma_page_range -> handle_mm_fault). Planted:
    /// the same trace with the call named munlock, whose CandSites are split_huge_page alone, is rejected at the first copy's
    /// invalidate_range_start.</summary>
    [Fact]
    public void Mlock_population_faults_are_accepted()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 3));
        s.Cpu(new Call.CpuWrite(9, 7));
        s.DeviceRead(0, 9);
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.Mlock(0, 12));
        s.DeviceRead(0, 1);
        // [0, 4) and [8, 12) split and copied; [4, 8), empty, one huge fault
        Assert.Equal(Enumerable.Range(0, 12).Select(p => p is >= 4 and < 8), Enumerable.Range(0, 12).Select(p => s.State.Ptes[p] is { Writable: true } x && x.Huge));
        Assert.True(Enumerable.Range(0, 12).All(p => s.State.Ptes[p] is { Writable: true }));
        var path = Written(s, "mlock");
        AssertAccepted(path);
        var lines = File.ReadAllLines(path);
        int call = Array.FindIndex(lines, l => l.Contains("\"op\":\"mlock\""));
        lines[call] = lines[call].Replace("\"op\":\"mlock\"", "\"op\":\"munlock\"");
        File.WriteAllLines(path, lines);
        // the first start is the split of [0, 4) (split_huge_page, munlock's too); the second, the copy of page 0
        int split = Array.FindIndex(lines, call, l => l.Contains("invalidate_range_start"));
        int start = Array.FindIndex(lines, split + 1, l => l.Contains("invalidate_range_start")) + 1;
        Assert.Contains("\"start\":0,\"end\":4", lines[split]);
        Assert.Contains("\"start\":0,\"end\":1", lines[start - 1]);
        var v = TraceChecks.Validate(path);
        Assert.Equal(VerdictKind.Rejected, v.Kind);
        Assert.Equal(start, v.Line);
    }

    /// <summary>Planted: the un-protect's call line without "wp": false reads as mode WP, whose uffd_wp_range only
    /// write-protects (SitePte): making page 1 writable there is rejected at that PTE change.</summary>
    [Fact]
    public void An_upgrade_under_a_write_protecting_uffd_wp_range_is_rejected()
    {
        var path = Trace("planted");
        var lines = File.ReadAllLines(path);
        int call = Array.FindIndex(lines, l => l.Contains("\"wp\":false"));
        lines[call] = lines[call].Replace(",\"wp\":false", "");
        File.WriteAllLines(path, lines);
        int update = Array.FindIndex(lines, call, l => l.Contains("\"op\":\"pte_update\"")) + 1;
        var v = TraceChecks.Validate(path);
        Assert.Equal(VerdictKind.Rejected, v.Kind);
        Assert.Equal(update, v.Line);
        Assert.EndsWith($"planted.jsonl:{update}: rejected: no behaviour of the spec matches this line ({update - 1} lines matched)", v.Message);
    }
}
