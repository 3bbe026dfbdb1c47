using NotifierSpec.Conformance;
using Xunit;
using Ref = NotifierSpec.Reference;

namespace NotifierSpec.Spec.Tests;

/// <summary>spec/ on UFFDIO_MOVE of a swap entry (linux-7.2 mm/userfaultfd.c move_pages_ptes -> move_swap_pte): the source
/// entry cleared and the destination's set inside the step's MMU_NOTIFY_CLEAR bracket, no TLB flush.</summary>
public class MoveSwapEntryRefinementTests
{
    /// <summary>The run of tests/Conformance.Tests/UffdMoveSwapEntryValidationTests: the live sequence of docs/kernel.md
    /// ("UFFDIO_MOVE of a swap entry") with dev0 mapping [8, 10), then a read of page 12.</summary>
    private static List<string> Lines()
    {
        var s = new Ref.Session(new Ref.MmConfig(16, 4, 48, Ref.Vocabulary.Linux7_2, [new Ref.MirrorConfig("dev0")]));
        s.Cpu(new Ref.Call.Mmap(0, 16, Ref.Prot.ReadWrite));
        s.Cpu(new Ref.Call.CpuWrite(15, 987434));
        s.Cpu(new Ref.Call.MadvisePageout(13, 16));
        s.Cpu(new Ref.Call.UffdRegister(11, 13));
        s.Cpu(new Ref.Call.CpuWrite(14, 110869));
        s.DeviceRead(0, 8);
        s.Cpu(new Ref.Call.UffdMove(14, 11, 2));
        Assert.True(s.State.Ptes[12] is { Swapped: true });
        s.Cpu(new Ref.Call.CpuRead(12));
        Assert.Null(s.FirstViolation);
        return Refinement.Lines(s).ToList();
    }

    [Fact]
    public void A_swap_entry_moved_in_its_bracket_refines()
    {
        var r = Refinement.Check(Lines(), Coverage.RefineScope);
        Assert.True(r.Refines, $"{r.Message}\n{r.Report}");
        Assert.Equal(r.Lines - 1, r.SpecSteps + r.Stutters);
        // MADV_PAGEOUT's unmap, the move's two steps
        Assert.Equal((3, 3), (r.ActionCounts["invalidate_range_start"], r.ActionCounts["invalidate_range_end"]));
    }

    /// <summary>Planted into the reference's outcome (Refinement.CheckPlanted): page 15's entry kept at the end of the swap
    /// entry's bracket (the source not cleared, a PTE left outside any pte_update): rejected at that line.</summary>
    [Fact]
    public void The_source_entry_kept_past_the_bracket_is_rejected()
    {
        var lines = Lines();
        int call = lines.FindIndex(l => l.Contains("\"op\":\"uffdio_move\""));
        int start = lines.FindIndex(call, l => l.Contains("\"op\":\"invalidate_range_start\"") && l.Contains("\"start\":15,"));
        int line = lines.FindIndex(start, l => l.Contains("\"op\":\"invalidate_range_end\"")) + 1;
        var r = Refinement.CheckPlanted(lines, Coverage.RefineScope, (n, o) =>
            n != line ? o : o with { State = o.State with { Ptes = o.State.Ptes.SetItem(15, o.State.Ptes[12]) } });
        Assert.Equal((RefinementVerdict.StepRejected, line, "invalidate_range_end"), (r.Verdict, r.Line, r.Action));
    }
}
