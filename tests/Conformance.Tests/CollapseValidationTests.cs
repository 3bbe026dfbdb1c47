using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>`notifier validate`, `replay` and `refine` of the reference's MADV_COLLAPSE traces (Planner.MadviseCollapse): a block
/// with a hole and a zero-page PTE, one a child maps too (fork), one with a swap entry (swapped in first: do_swap_page, a fill),
/// one already PMD-mapped, each read by a mirror before, so that the collapse_huge_page bracket (MMU_NOTIFY_CLEAR over the block)
/// reaches a listener. The reference's replay and spec/ (refine) accept them; the TLA+ trace spec (tla/trace/TraceNotifierSpec.tla)
/// has neither MADV_PAGEOUT nor MADV_COLLAPSE, so validate calls them outside the spec, as before.</summary>
public sealed class CollapseValidationTests() : TraceDirTests("notifier-collapse-validate")
{
    private string Trace(Vocabulary v)
    {
        var s = new Session(new MmConfig(16, 4, 64, v, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 10)); // [0, 4): a hole at 1, the zero page at 2
        s.Cpu(new Call.CpuRead(2));
        s.Cpu(new Call.CpuWrite(3, 13));
        s.DeviceRead(0, 0);
        for (int p = 4; p < 8; p++) s.Cpu(new Call.CpuWrite(p, 10 + p)); // [4, 8): a swap entry at 5
        s.Cpu(new Call.MadvisePageout(5, 6));
        s.DeviceRead(0, 4);
        s.Cpu(new Call.MadviseCollapse(0, 8));
        for (int p = 8; p < 12; p++) s.Cpu(new Call.CpuWrite(p, 10 + p)); // [8, 12): mapped by a child too
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuWrite(8, 30)); // a writable page of its own (linux-6.12: SCAN_PAGE_RO otherwise)
        s.DeviceRead(0, 9);
        s.Cpu(new Call.MadviseCollapse(8, 12));
        s.Cpu(new Call.MadviseCollapse(0, 12)); // every block PMD-mapped: SCAN_PMD_MAPPED, nothing
        s.DeviceRead(0, 10);
        Assert.All(Enumerable.Range(0, 12), p => Assert.True(s.State.Ptes[p]!.Value.Huge));
        Assert.Equal(3, s.Trace.Count(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal) && (string?)l.Get("event") == "MMU_NOTIFY_CLEAR"
            && (int)l.Get("end")! - (int)l.Get("start")! == 4));
        return Written(s, EventTables.Name(v));
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_12)]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux7_2)]
    public void Madv_collapse_of_holes_the_zero_page_a_swap_entry_and_a_forked_block_replays_and_refines_and_is_outside_the_tla_spec(Vocabulary v)
    {
        var path = Trace(v);
        var p = TraceChecks.Replay(path);
        Assert.True(p.Accepted, p.Message);
        var r = TraceChecks.Refine(path);
        Assert.True(r.Accepted, r.Message);
        // the TLA+ trace spec has no MADV_PAGEOUT nor MADV_COLLAPSE site (conformance/Coverage.cs): outside, at the first
        int line = Array.FindIndex(File.ReadAllLines(path), l => l.Contains("\"op\":\"madvise_pageout\"")) + 1;
        var val = TraceChecks.Validate(path);
        Assert.Equal((VerdictKind.OutsideSpec, line), (val.Kind, val.Line));
    }

    /// <summary>Planted: the first collapse's MMU_NOTIFY_CLEAR bracket dropped from the trace (a collapse that does not notify): the
    /// reference's replay and spec/ reject it.</summary>
    [Fact]
    public void A_collapse_without_its_bracket_is_rejected_by_replay_and_refine()
    {
        var path = Trace(Vocabulary.Linux7_2);
        var lines = File.ReadAllLines(path).ToList();
        int call = lines.FindIndex(l => l.Contains("\"op\":\"madvise_collapse\""));
        int start = lines.FindIndex(call, l => l.Contains("\"op\":\"invalidate_range_start"));
        int end = lines.FindIndex(start, l => l.Contains("\"op\":\"invalidate_range_end"));
        lines.RemoveAt(end);
        lines.RemoveAt(start);
        File.WriteAllLines(path, lines);
        var p = TraceChecks.Replay(path);
        Assert.Equal(VerdictKind.Rejected, p.Kind);
        var r = TraceChecks.Refine(path);
        Assert.Equal(VerdictKind.Rejected, r.Kind);
    }
}
