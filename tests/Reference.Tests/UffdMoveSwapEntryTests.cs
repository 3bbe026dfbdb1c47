using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>UFFDIO_MOVE of a swap entry: linux-7.2 mm/userfaultfd.c move_pages_ptes, inside its MMU_NOTIFY_CLEAR bracket over
/// [src_addr, src_addr + len), takes a swap entry that is pte_swp_exclusive to move_swap_pte, which moves the entry itself
/// (ptep_get_and_clear, pte_swp_mksoft_dirty, set_pte_at): its uffd-wp bit stays, no TLB flush; a later fault on the
/// destination swaps the page in there (do_swap_page). A swap entry fork shared (copy_nonpresent_pte clears
/// pte_swp_exclusive) is refused in the bracket (-EBUSY). linux-6.12 move_pages_pte / move_swap_pte the same, one page
/// bracketed. Found live on 6.18.44: `mmap 0 16 rw; host_write 15 987434; pageout 13 16; uffd_register 11 13;
/// host_write 14 110869; uffd_move 14 11 2` (docs/kernel.md, "UFFDIO_MOVE of a swap entry").</summary>
public class UffdMoveSwapEntryTests
{
    private static List<string> Events(Session s) => s.Trace.Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    private static Session Run(Vocabulary v, MmConfig? config = null)
    {
        var s = new Session(config ?? new MmConfig(16, 4, 48, v));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(15, 987434));
        s.Cpu(new Call.MadvisePageout(13, 16));
        s.Cpu(new Call.UffdRegister(11, 13));
        s.Cpu(new Call.CpuWrite(14, 110869));
        return s;
    }

    [Theory]
    [InlineData(Vocabulary.Linux7_2, false)]
    [InlineData(Vocabulary.Linux7_2, true)]
    [InlineData(Vocabulary.Linux6_12, false)]
    [InlineData(Vocabulary.Linux6_12, true)]
    public void The_live_sequence_moves_page_15s_swap_entry_to_page_12_in_the_bracket_and_a_read_swaps_it_in_there(Vocabulary v, bool planted)
    {
        var s = Run(v, new MmConfig(16, 4, 48, v) { PlantUffdMoveRefusesSwapEntry = planted });
        var swapped = s.State.Ptes[15]!.Value;
        Assert.True(swapped.Swapped);
        int f14 = s.State.Ptes[14]!.Value.Frame, f15 = swapped.Frame;
        Assert.Equal((0, 1), (s.State.Frames[f15].MapCount, s.State.Frames[f15].RefCount));
        int events = Events(s).Count, lines = s.Trace.Count;
        var o = s.Call(new Call.UffdMove(14, 11, 2));
        Assert.Null(o.Line.Get("result"));   // moved 1 or 2 pages: no error
        s.RunCpu();
        // 7.2: one bracket per step over the rest of the move; 6.12: one page each
        Assert.Equal(v == Vocabulary.Linux7_2 ? ["MMU_NOTIFY_CLEAR[14,16)", "MMU_NOTIFY_CLEAR[15,16)"] : ["MMU_NOTIFY_CLEAR[14,15)", "MMU_NOTIFY_CLEAR[15,16)"],
            Events(s).Skip(events));
        Assert.Equal(f14, s.State.Ptes[11]!.Value.Frame);
        Assert.Null(s.State.Ptes[14]);
        if (planted)
        {
            Assert.Null(s.State.Ptes[12]);
            Assert.Equal(swapped, s.State.Ptes[15]);
            Assert.Null(s.FirstViolation);
            return;
        }
        Assert.Null(s.State.Ptes[15]);
        Assert.Equal(new Pte(f15, Prot.ReadWrite, SoftDirty: true, Swapped: true), s.State.Ptes[12]);
        Assert.Equal((0, 1), (s.State.Frames[f15].MapCount, s.State.Frames[f15].RefCount));
        // the second bracket's steps: the source cleared, the entry set at the destination, no TLB flush
        var second = s.Trace.Skip(lines).SkipWhile(l => !(l.Op == "invalidate_range_start" && Convert.ToInt32(l.Get("start")) == 15)).ToList();
        Assert.Equal(["invalidate_range_start", "pte_update", "pte_update", "invalidate_range_end"],
            second.Take(4).Select(l => l.Op).ToList());
        // a later read of page 12 swaps page 15's contents in there, writable (the entry is exclusive)
        s.Cpu(new Call.CpuRead(12));
        Assert.Equal((f15, Prot.ReadWrite, false), (s.State.Ptes[12]!.Value.Frame, s.State.Ptes[12]!.Value.Prot, s.State.Ptes[12]!.Value.Swapped));
        Assert.Equal(987434, s.CpuView(12));
        Assert.Equal(110869, s.CpuView(11));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>The moved swap entry keeps its uffd-wp bit (move_swap_pte sets the source's entry itself), and the swap-in at
    /// the destination keeps it, read-only (do_swap_page: pte_swp_uffd_wp). Planted: PlantUffdMoveSwapDropsUffdWp.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_moved_swap_entry_keeps_its_uffd_wp_bit(bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantUffdMoveSwapDropsUffdWp = planted });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(0, 16));
        s.Cpu(new Call.CpuWrite(15, 7));
        s.Cpu(new Call.UffdWriteProtect(15, 16));
        s.Cpu(new Call.MadvisePageout(15, 16));
        Assert.Equal((true, true), (s.State.Ptes[15]!.Value.Swapped, s.State.Ptes[15]!.Value.UffdWp));
        int f = s.State.Ptes[15]!.Value.Frame;
        Assert.Null(s.Call(new Call.UffdMove(15, 12)).Line.Get("result"));
        s.RunCpu();
        Assert.Null(s.State.Ptes[15]);
        Assert.Equal(new Pte(f, Prot.Read, SoftDirty: true, Swapped: true, UffdWp: !planted), s.State.Ptes[12]);   // the write-protected entry as it was
        s.Cpu(new Call.CpuRead(12));
        Assert.Equal((f, planted ? Prot.ReadWrite : Prot.Read, !planted), (s.State.Ptes[12]!.Value.Frame, s.State.Ptes[12]!.Value.Prot, s.State.Ptes[12]!.Value.UffdWp));
        Assert.Equal(7, s.CpuView(12));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>fork copies the swap entry and clears pte_swp_exclusive in the parent (linux-7.2 mm/memory.c
    /// copy_nonpresent_pte): move_pages_ptes refuses it inside its bracket (-EBUSY), nothing moved.</summary>
    [Fact]
    public void A_swap_entry_fork_shared_is_refused_in_the_bracket()
    {
        var s = Run(Vocabulary.Linux7_2);
        s.Cpu(new Call.Fork());
        var swapped = s.State.Ptes[15];
        int events = Events(s).Count;
        var o = s.Call(new Call.UffdMove(15, 12));
        s.RunCpu();
        Assert.Equal("EBUSY (swap entry not exclusive: pte_swp_exclusive)", o.Line.Get("result"));
        Assert.Equal(["MMU_NOTIFY_CLEAR[15,16)"], Events(s).Skip(events));
        Assert.Equal(swapped, s.State.Ptes[15]);
        Assert.Null(s.State.Ptes[12]);
        Assert.Null(s.FirstViolation);
    }
}
