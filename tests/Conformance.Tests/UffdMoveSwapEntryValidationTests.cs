using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>UFFDIO_MOVE of a swap entry (linux-7.2 mm/userfaultfd.c move_pages_ptes -> move_swap_pte; linux-6.12
/// move_pages_pte the same, one page bracketed): the entry cleared at the source and set at the destination inside the
/// MMU_NOTIFY_CLEAR bracket, no TLB flush. The reference's trace of the live sequence of docs/kernel.md ("UFFDIO_MOVE of a
/// swap entry") is accepted by replay, validate (TraceNotifierSpec) and refine (spec/).</summary>
public sealed class UffdMoveSwapEntryValidationTests() : TraceDirTests("notifier-move-swap")
{
    /// <summary>`mmap 0 16 rw; cpu_write 15; madvise_pageout 13 16; uffdio_register 11 13; cpu_write 14; uffdio_move 14 11 2`,
    /// dev0 mapping pages 8 and 9 first, then a read of page 12 that swaps page 15's contents in there.</summary>
    private string Trace(Vocabulary v, string name)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(15, 987434));
        s.Cpu(new Call.MadvisePageout(13, 16));
        s.Cpu(new Call.UffdRegister(11, 13));
        s.Cpu(new Call.CpuWrite(14, 110869));
        s.DeviceRead(0, 8);   // its fault maps [8, 10) (a read fault of page 15 would swap it in)
        Assert.Null(s.Call(new Call.UffdMove(14, 11, 2)).Line.Get("result"));
        s.RunCpu();
        Assert.True(s.State.Ptes[12] is { Swapped: true });
        s.Cpu(new Call.CpuRead(12));
        Assert.Equal(987434, s.CpuView(12));
        return Written(s, name);
    }

    [Theory]
    [InlineData(Vocabulary.Linux7_2)]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux6_12)]
    public void The_moved_swap_entry_replays_and_refines_and_is_outside_the_tla_spec(Vocabulary v)
    {
        var path = Trace(v, "swap-" + v);
        var lines = File.ReadAllLines(path);
        var (start, end) = SwapBracket(lines);
        Assert.Contains("\"start\":15,\"end\":16,", lines[start - 1]);   // the rest of the move (7.2, 6.18) is this one page, as 6.12's
        // the bracket: the mirror's invalidate, the source cleared, the entry set at the destination, no tlb_flush
        Assert.Equal(["invalidate_range_start", "invalidate", "pte_update", "pte_update", "invalidate_range_end"],
            lines[(start - 1)..end].Select(l => l.Split("\"op\":\"")[1].Split('"')[0]));
        Assert.Contains("\"page\":12,\"old\":null", lines[start + 2]);
        var p = TraceChecks.Replay(path);
        Assert.True(p.Accepted, p.Message);
        var r = TraceChecks.Refine(path);
        Assert.True(r.Accepted, r.Message);
        // the TLA+ trace spec has no swap entries, nor MADV_PAGEOUT (conformance/Coverage.cs): outside, at that call
        int line = Array.FindIndex(lines, l => l.Contains("\"op\":\"madvise_pageout\"")) + 1;
        var val = TraceChecks.Validate(path);
        Assert.Equal((VerdictKind.OutsideSpec, line), (val.Kind, val.Line));
    }

    /// <summary>The 1-based lines of the swap entry's bracket (the move's second, over [15, ...)): its start and its end.</summary>
    private static (int Start, int End) SwapBracket(string[] lines)
    {
        int call = Array.FindIndex(lines, l => l.Contains("\"op\":\"uffdio_move\""));
        int start = Array.FindIndex(lines, call, l => l.Contains("\"op\":\"invalidate_range_start\"") && l.Contains("\"start\":15,"));
        int end = Array.FindIndex(lines, start, l => l.Contains("\"op\":\"invalidate_range_end\""));
        return (start + 1, end + 1);
    }

    /// <summary>Planted: the swap entry moved with no bracket (its start and end lines dropped): replay rejects the line where
    /// the reference starts its bracket; spec/ rejects the unbracketed clear of page 15.</summary>
    [Fact]
    public void A_swap_entry_moved_without_its_bracket_is_rejected_by_replay_and_refine()
    {
        var path = Trace(Vocabulary.Linux7_2, "unbracketed");
        var lines = File.ReadAllLines(path).ToList();
        var (start, end) = SwapBracket([.. lines]);
        lines.RemoveAt(end - 1);
        lines.RemoveRange(start - 1, 2);   // the start and the mirror's invalidate
        File.WriteAllLines(path, lines);
        var p = TraceChecks.Replay(path);
        Assert.Equal((VerdictKind.Rejected, start), (p.Kind, p.Line));
        var r = TraceChecks.Refine(path);
        Assert.Equal((VerdictKind.Rejected, start), (r.Kind, r.Line));
    }
}
