using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>PageAnonExclusive (reference/Types.cs Frame.AnonExclusive; docs/kernel.md "PageAnonExclusive"): the trace of the
/// live sequence `mmap 0 16 rw; cpu_write 14; fork; child_write 0 14; uffdio_register 2 3; uffdio_move 14 2 1` (EBUSY inside
/// move_pages_ptes' bracket: fork cleared the bit), the parent's reusing write and the move again, with dev0 mapping page 14
/// first, is accepted by replay; spec/ and the TLA+ trace spec have no child mm (outside at the child's write). A trace made under the plant (MmConfig.PlantAnonExclusiveFromCounts: the first
/// move goes through) is rejected by replay, whose reference refuses that move.</summary>
public sealed class AnonExclusiveValidationTests() : TraceDirTests("notifier-anon-exclusive")
{
    private string Trace(Vocabulary v, bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, [new MirrorConfig("dev0")]) { PlantAnonExclusiveFromCounts = planted });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(14, 943280));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.ChildWrite(0, 14, 63653));
        s.DeviceRead(0, 14);
        s.Cpu(new Call.UffdRegister(2, 3));
        Assert.Equal(planted ? null : "EBUSY (page not exclusive to this mapping)", s.Call(new Call.UffdMove(14, 2, 1)).Line.Get("result"));
        s.RunCpu();
        if (!planted)
        {
            s.Cpu(new Call.CpuWrite(14, 5));
            Assert.Null(s.Call(new Call.UffdMove(14, 2, 1)).Line.Get("result"));
            s.RunCpu();
        }
        Assert.Equal(planted ? 943280 : 5, s.CpuView(2));
        return Written(s, $"{v}-{planted}");
    }

    [Theory]
    [InlineData(Vocabulary.Linux7_2)]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux6_12)]
    public void The_refused_move_the_reuse_and_the_move_replay_and_are_outside_the_specs_at_the_childs_write(Vocabulary v)
    {
        var path = Trace(v, planted: false);
        var p = TraceChecks.Replay(path);
        Assert.True(p.Accepted, p.Message);
        // spec/ and the TLA+ trace spec have no child mm (a child never writes: their `cow` pages stay shared, never reused):
        // both outside at the child's write, line 14
        int child = Array.FindIndex(File.ReadAllLines(path), l => l.Contains("\"op\":\"child_write\"")) + 1;
        Assert.Equal(14, child);
        var r = TraceChecks.Refine(path);
        Assert.Equal((VerdictKind.OutsideSpec, (int?)child), (r.Kind, r.Line));
        var val = TraceChecks.Validate(path);
        Assert.Equal((VerdictKind.OutsideSpec, (int?)child), (val.Kind, val.Line));
    }

    [Fact]
    public void A_trace_made_with_the_counts_is_rejected_by_replay_at_the_move()
    {
        var path = Trace(Vocabulary.Linux7_2, planted: true);
        var lines = File.ReadAllLines(path);
        var p = TraceChecks.Replay(path);
        Assert.False(p.Accepted);
        // the planted move clears page 14 (line 32) where the reference refuses and ends its bracket
        int move = Array.FindIndex(lines, l => l.Contains("\"op\":\"uffdio_move\""));
        Assert.Equal(32, Array.FindIndex(lines, move, l => l.Contains("\"op\":\"pte_update\"")) + 1);
        Assert.Equal((VerdictKind.Rejected, (int?)32), (p.Kind, p.Line));
        Assert.Contains("the trace says \"pte_update\", the reference does \"invalidate_range_end\"", p.Message);
    }
}
