using NotifierSpec.Conformance;
using Xunit;
using Ref = NotifierSpec.Reference;

namespace NotifierSpec.Spec.Tests;

/// <summary>spec/ on UFFDIO_MOVE's bracket around a step it refuses (linux-7.2 mm/userfaultfd.c move_pages_ptes: range_start
/// before the PTE checks, range_end after the refusal, no PTE changed): invalidate_range_start, the callbacks and
/// invalidate_range_end with no pte_update between, and a THP source's split (split_huge_pmd) before the refused step.</summary>
public class MoveBracketRefinementTests
{
    /// <summary>The run of tests/Conformance.Tests/MoveBracketValidationTests: `uffdio_move 2 6` splits the THP [0, 4) and is
    /// refused in its bracket [2, 3); `uffdio_move 0 5 3` moves page 0 and is refused at page 1 in its bracket [1, 3).</summary>
    private static List<string> Lines()
    {
        var s = new Ref.Session(new Ref.MmConfig(16, 4, 48, Ref.Vocabulary.Linux7_2, [new Ref.MirrorConfig("dev0")]));
        s.Cpu(new Ref.Call.Mmap(0, 12, Ref.Prot.ReadWrite, Thp: true));
        s.Cpu(new Ref.Call.CpuWrite(0, 1));
        s.Cpu(new Ref.Call.Mmap(4, 8, Ref.Prot.ReadWrite));
        s.Cpu(new Ref.Call.UffdRegister(4, 8));
        s.Cpu(new Ref.Call.CpuWrite(6, 2));
        s.DeviceRead(0, 0);
        s.Cpu(new Ref.Call.UffdMove(2, 6));
        s.Cpu(new Ref.Call.UffdMove(0, 5, 3));
        s.Cpu(new Ref.Call.CpuRead(5));
        Assert.Null(s.FirstViolation);
        return Refinement.Lines(s).ToList();
    }

    [Fact]
    public void A_move_refused_in_its_bracket_refines()
    {
        var r = Refinement.Check(Lines(), Coverage.RefineScope);
        Assert.True(r.Refines, $"{r.Message}\n{r.Report}");
        Assert.Equal(r.Lines - 1, r.SpecSteps + r.Stutters);
        // MAP_FIXED's zap, the split, the two empty brackets and the move of page 0
        Assert.Equal((5, 5), (r.ActionCounts["invalidate_range_start"], r.ActionCounts["invalidate_range_end"]));
    }

    /// <summary>Planted into the reference's outcome (Refinement.CheckPlanted): the source page 1 cleared at the end of its
    /// empty bracket, a PTE change outside any pte_update: rejected at that line as no instance of invalidate_range_end.</summary>
    [Fact]
    public void A_pte_change_at_the_end_of_the_empty_bracket_is_rejected()
    {
        var lines = Lines();
        int call = lines.FindIndex(l => l.Contains("\"op\":\"uffdio_move\"") && l.Contains("\"len\":3"));
        int moved = lines.FindIndex(call, l => l.Contains("\"op\":\"invalidate_range_end\""));
        int line = lines.FindIndex(moved + 1, l => l.Contains("\"op\":\"invalidate_range_end\"")) + 1;
        var r = Refinement.CheckPlanted(lines, Coverage.RefineScope, (n, o) =>
            n != line ? o : o with { State = o.State with { Ptes = o.State.Ptes.SetItem(1, null) } });
        Assert.Equal((RefinementVerdict.StepRejected, line, "invalidate_range_end"), (r.Verdict, r.Line, r.Action));
    }
}
