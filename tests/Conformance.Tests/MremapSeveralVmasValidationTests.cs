using NotifierSpec.Checker;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>The trace spec (tla/trace/TraceNotifierSpec.tla, `notifier validate`) on the reference's traces of an mremap over
/// several VMAs (linux-7.2 mm/mremap.c remap_move: one move_vma per VMA, each with its vma_update and its move_page_tables
/// bracket; docs/kernel.md "mremap over several VMAs").</summary>
public sealed class MremapSeveralVmasValidationTests() : TraceDirTests("notifier-mremap-several")
{
    private TraceVerdict Validate(Session s, string name) => TraceChecks.Validate(Written(s, name), allowIncomplete: true);

    /// <summary>The trace `name` written by Validate with its mremap call line's new_start 8 edited to newStart: its lines (as
    /// written), the index of the first bracket start after the call whose line contains `bracket`, and the (1-based) line
    /// `notifier validate` rejects, which must be a violation.</summary>
    private (string[] Lines, int Bracket, int Rejected) Planted(string name, string bracket, int newStart)
    {
        var path = PathOf(name);
        var lines = File.ReadAllLines(path);
        int call = Array.FindIndex(lines, t => t.Contains("\"kind\":\"call\"") && t.Contains("\"op\":\"mremap\""));
        int at = Array.FindIndex(lines, call, t => t.Contains("\"op\":\"invalidate_range_start\"") && t.Contains(bracket));
        Assert.Contains("\"new_start\":8", lines[call]);
        File.WriteAllLines(path, [.. lines[..call], lines[call].Replace("\"new_start\":8", $"\"new_start\":{newStart}"), .. lines[(call + 1)..]]);
        var planted = TraceChecks.Validate(path, allowIncomplete: true);
        Assert.Equal(ExitCodes.Violation, planted.Exit);
        return (lines, at, planted.Line!.Value);
    }

    private static string? Result(Session s, Call c) =>
        (string?)s.Cpu(c).Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result");

    private static Session New(Vocabulary v = Vocabulary.Linux7_2) =>
        new(new MmConfig(16, 4, 48, v, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)]));

    [Fact]
    public void Two_vmas_a_gap_and_a_move_stopped_part_way_are_accepted()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 11));
        s.Cpu(new Call.CpuWrite(5, 15));
        s.Cpu(new Call.Mprotect(4, 8, Prot.Read));
        s.DeviceRead(0, 1);
        s.DeviceRead(0, 5);
        Assert.Null(Result(s, new Call.Mremap(0, 8, 8)));
        s.DeviceRead(0, 9);
        s.Cpu(new Call.Munmap(8, 16));
        s.Cpu(new Call.Mmap(0, 2, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(3, 5, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 7));
        s.Cpu(new Call.Mmap(10, 11, Prot.Read));
        s.DeviceRead(0, 3);
        Assert.Null(Result(s, new Call.Mremap(0, 6, 8)));
        s.Cpu(new Call.Munmap(0, 16));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 4));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.DeviceRead(0, 1);
        Assert.Equal("EFAULT (a userfaultfd-armed VMA among several)", Result(s, new Call.Mremap(0, 8, 8)));
        s.DeviceRead(0, 9);
        var v = Validate(s, "several");
        Assert.True(v.Accepted, v.Message + "\n" + v.Detail);
    }

    [Fact]
    public void A_ksm_page_in_the_second_vma_and_a_hugetlb_vma_after_a_plain_one_are_accepted()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(4, 8, Prot.Read, Mergeable: true));
        s.Cpu(new Call.Mprotect(4, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 9));
        s.Cpu(new Call.CpuWrite(5, 9));
        s.Cpu(new Call.CpuWrite(6, 9));
        s.Cpu(new Call.KsmMerge(6, 5));
        s.DeviceRead(0, 5);
        Assert.Null(Result(s, new Call.Mremap(0, 8, 8)));
        Assert.Equal((9, 9), (s.State.CpuView(13), s.State.CpuView(14)));
        var h = New();
        h.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        h.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite, Hugetlb: true));
        h.Cpu(new Call.CpuWrite(1, 3));
        h.Cpu(new Call.CpuWrite(5, 4));
        h.DeviceRead(0, 5);
        Assert.Null(Result(h, new Call.Mremap(0, 8, 8)));
        var v = Validate(s, "ksm");
        Assert.True(v.Accepted, v.Message + "\n" + v.Detail);
        v = Validate(h, "hugetlb");
        Assert.True(v.Accepted, v.Message + "\n" + v.Detail);
        // planted: the call line's new_start 8 -> 4 puts the broken page 5's destination at 9, which the first VMA's move
        // mapped already: rejected at the break's bracket (TraceNotifierSpec MremapBreak, MremapDst)
        var (lines, brk, rejected) = Planted("ksm", "MMU_NOTIFY_CLEAR", 4);
        Assert.Contains("\"start\":5,\"end\":6", lines[brk]);
        Assert.Equal(brk + 1, rejected);
        // planted: new_start 8 -> 7 puts the hugetlb VMA's destination at [11, 15), page 11 in the first VMA's: its
        // move_hugetlb_page_tables bracket no longer fits (TraceNotifierSpec HugetlbVmaFits, MremapDst); the start line still
        // passes as a PMD split of the block [4, 8) (SplitBlock), whose first PTE change, the move's clear of page 4, is rejected
        (lines, int move, rejected) = Planted("hugetlb", "\"start\":4,", 7);
        Assert.Contains("MMU_NOTIFY_CLEAR", lines[move]);   // move_hugetlb_page_tables' event
        Assert.Equal(move + 3, rejected);
        Assert.Contains("\"op\":\"pte_update\",\"page\":4,", lines[move + 2]);
    }
}
