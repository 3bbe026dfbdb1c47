using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>UFFDIO_MOVE's bracket around a step it refuses: linux-7.2 mm/userfaultfd.c move_pages_ptes (linux-6.12
/// move_pages_pte) starts MMU_NOTIFY_CLEAR before its PTE checks, and a step refused there ends it with no PTE changed and
/// no TLB flush; a THP source is split first (move_pages: split_huge_pmd). The trace spec takes such a bracket from
/// "started" (NotifierSpec MoveStepRefused; TraceNotifierSpec TraceMoveStepRefused), spec/ as any bracket.</summary>
public sealed class MoveBracketValidationTests() : TraceDirTests("notifier-move-bracket")
{
    /// <summary>A THP [0, 4) (dev0 maps page 0), [4, 8) registered with page 6 mapped: `uffdio_move 2 6` splits the THP and is
    /// refused in its bracket [2, 3) (EEXIST); `uffdio_move 0 5 3` moves page 0 to 5 and stops at page 1 (EEXIST: page 6),
    /// refused in its bracket [1, 3) (linux-7.2: the rest of the move; linux-6.12 [1, 2)); a read of page 5 follows.</summary>
    private string Trace(Vocabulary v, string name)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(6, 2));
        s.DeviceRead(0, 0);
        Assert.Equal("EEXIST (destination is mapped)", s.Call(new Call.UffdMove(2, 6)).Line.Get("result"));
        s.RunCpu();
        Assert.Null(s.Call(new Call.UffdMove(0, 5, 3)).Line.Get("result"));
        s.RunCpu();
        s.Cpu(new Call.CpuRead(5));
        Assert.Equal(1, s.CpuView(5));
        return Written(s, name);
    }

    private static int LineOf(string[] lines, Func<string, bool> pred, int after = 0)
    {
        for (int i = after; i < lines.Length; i++) if (pred(lines[i])) return i + 1;
        throw new InvalidOperationException("no such line");
    }

    /// <summary>The 1-based lines of the second move's refused bracket: its start and its end.</summary>
    private static (int Start, int End) RefusedBracket(string[] lines)
    {
        int call = LineOf(lines, l => l.Contains("\"op\":\"uffdio_move\"") && l.Contains("\"len\":3"));
        int start = LineOf(lines, l => l.Contains("\"op\":\"invalidate_range_start\""), LineOf(lines, l => l.Contains("\"op\":\"invalidate_range_end\""), call));
        return (start, LineOf(lines, l => l.Contains("\"op\":\"invalidate_range_end\""), start));
    }

    [Theory]
    [InlineData(Vocabulary.Linux7_2, "\"start\":1,\"end\":3,")]
    [InlineData(Vocabulary.Linux6_18, "\"start\":1,\"end\":3,")]
    [InlineData(Vocabulary.Linux6_12, "\"start\":1,\"end\":2,")]
    public void A_move_refused_in_its_bracket_is_accepted_by_replay_validate_and_refine(Vocabulary v, string range)
    {
        var path = Trace(v, "move-" + v);
        var lines = File.ReadAllLines(path);
        var (start, end) = RefusedBracket(lines);
        Assert.Contains(range, lines[start - 1]);
        Assert.Equal(["invalidate_range_start", "invalidate", "invalidate_range_end"],
            lines[(start - 1)..end].Select(l => l.Split("\"op\":\"")[1].Split('"')[0]));
        var p = TraceChecks.Replay(path);
        Assert.True(p.Accepted, p.Message);
        var t = TraceChecks.Validate(path);
        Assert.True(t.Accepted, t.Message + "\n" + t.Detail);
        var r = TraceChecks.Refine(path);
        Assert.True(r.Accepted, r.Message);
    }

    /// <summary>Planted: the refused step's bracket narrowed to one page under linux-7.2 (the reference of linux-6.12's
    /// move_pages_pte): validate rejects its start (MoveRange: the rest of the move), replay too (the reference's range).</summary>
    [Fact]
    public void A_narrowed_bracket_is_rejected()
    {
        var path = Trace(Vocabulary.Linux7_2, "narrowed");
        var lines = File.ReadAllLines(path);
        var (start, end) = RefusedBracket(lines);
        foreach (int i in new[] { start, end }) lines[i - 1] = lines[i - 1].Replace("\"start\":1,\"end\":3,", "\"start\":1,\"end\":2,");
        File.WriteAllLines(path, lines);
        var t = TraceChecks.Validate(path);
        Assert.Equal((VerdictKind.Rejected, start), (t.Kind, t.Line));
        var p = TraceChecks.Replay(path);
        Assert.Equal((VerdictKind.Rejected, start), (p.Kind, p.Line));
    }

    /// <summary>Planted: the bracket missing (the reference of session 12, which refused first): replay rejects the line after
    /// the move, the read (the reference starts its bracket there). validate accepts it: a refused call with no steps is a refusal
    /// before any bracket to the spec, which has no page tables to tell -ENOENT before the bracket from -EEXIST inside it.</summary>
    [Fact]
    public void A_missing_bracket_is_rejected_by_replay()
    {
        var path = Trace(Vocabulary.Linux7_2, "missing");
        var lines = File.ReadAllLines(path).ToList();
        var (start, end) = RefusedBracket([.. lines]);
        lines.RemoveRange(start - 1, end - start + 1);
        File.WriteAllLines(path, lines);
        var p = TraceChecks.Replay(path);
        Assert.Equal((VerdictKind.Rejected, start), (p.Kind, p.Line));
        Assert.True(TraceChecks.Validate(path).Accepted);
    }

    /// <summary>Planted: a move bracket after the empty one in the same call (the reference going on after a refused step):
    /// move_pages `break`s on the error, so validate rejects the second start (TraceNotifierSpec IsEnd ends the call).</summary>
    [Fact]
    public void A_bracket_after_the_refused_step_is_rejected()
    {
        var path = Trace(Vocabulary.Linux7_2, "after");
        var lines = File.ReadAllLines(path).ToList();
        var (start, end) = RefusedBracket([.. lines]);
        lines.InsertRange(end, lines.GetRange(start - 1, end - start + 1));
        File.WriteAllLines(path, lines);
        var t = TraceChecks.Validate(path);
        Assert.Equal((VerdictKind.Rejected, end + 1), (t.Kind, t.Line));
    }
}
