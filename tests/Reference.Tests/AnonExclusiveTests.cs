using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>PageAnonExclusive as a bit of its own (Frame.AnonExclusive), not the map and reference counts: fork clears it
/// (linux-7.2 mm/memory.c copy_present_ptes -> folio_try_dup_anon_rmap_ptes, include/linux/rmap.h __folio_try_dup_anon_rmap),
/// and after the child's copy-on-write the parent's page, mapped and held once again, stays not exclusive until a write fault
/// reuses it (do_wp_page: SetPageAnonExclusive once wp_can_reuse_anon_folio allows it). UFFDIO_MOVE refuses such a page
/// (mm/userfaultfd.c move_pages_ptes: !PageAnonExclusive -> -EBUSY) and its swap entry (!pte_swp_exclusive -> -EBUSY); mprotect
/// does not make its PTE writable (mm/mprotect.c can_change_private_pte_writable). Found live on 6.18.44:
/// `mmap 0 16 rw; host_write 14 943280; fork; child_write 0 14 63653; uffd_register 2 3; uffd_move 14 2 1` -> the kernel's
/// EBUSY (docs/kernel.md, "PageAnonExclusive"). The plant: MmConfig.PlantAnonExclusiveFromCounts, the counts of before.</summary>
public class AnonExclusiveTests
{
    private static List<string> Events(Session s, int from) => s.Trace.Skip(from).Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    /// <summary>The live sequence up to the move: page 14 written, fork, the child's write to page 14 (its own copy).</summary>
    private static Session Forked(Vocabulary v, bool planted = false)
    {
        var s = new Session(new MmConfig(16, 4, 48, v) { PlantAnonExclusiveFromCounts = planted });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(14, 943280));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.ChildWrite(0, 14, 63653));
        return s;
    }

    private static bool Bit(Session s, int page) => s.State.Frames[s.State.Ptes[page]!.Value.Frame].AnonExclusive;

    [Theory]
    [InlineData(Vocabulary.Linux7_2, false)]
    [InlineData(Vocabulary.Linux7_2, true)]
    [InlineData(Vocabulary.Linux6_12, false)]
    [InlineData(Vocabulary.Linux6_12, true)]
    public void The_live_sequence_refuses_the_move_of_the_page_fork_shared_in_the_bracket(Vocabulary v, bool planted)
    {
        var s = Forked(v, planted);
        int f = s.State.Ptes[14]!.Value.Frame;
        Assert.NotEqual(f, s.State.Children[0][14]);                                   // the child copied
        Assert.Equal((1, 1, false), (s.State.Frames[f].MapCount, s.State.Frames[f].RefCount, s.State.Frames[f].AnonExclusive));
        s.Cpu(new Call.UffdRegister(2, 3));
        int at = s.Trace.Count;
        var o = s.Call(new Call.UffdMove(14, 2, 1));
        s.RunCpu();
        Assert.Equal(["MMU_NOTIFY_CLEAR[14,15)"], Events(s, at));
        if (planted)
        {
            Assert.Null(o.Line.Get("result"));
            Assert.Equal((f, (Pte?)null), (s.State.Ptes[2]!.Value.Frame, s.State.Ptes[14]));
        }
        else
        {
            Assert.Equal("EBUSY (page not exclusive to this mapping)", o.Line.Get("result"));
            Assert.Equal(f, s.State.Ptes[14]!.Value.Frame);
            Assert.Null(s.State.Ptes[2]);
        }
        Assert.Null(s.FirstViolation);
    }

    /// <summary>The parent's write fault then reuses the page (wp_can_reuse_anon_folio: held once) with no copy and no
    /// notification, and sets the bit: the move goes through.</summary>
    [Fact]
    public void A_reusing_write_fault_sets_the_bit_again_and_the_move_then_goes_through()
    {
        var s = Forked(Vocabulary.Linux7_2);
        int f = s.State.Ptes[14]!.Value.Frame;
        int at = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(14, 5));
        Assert.Empty(Events(s, at));
        Assert.Equal((f, Prot.ReadWrite, true), (s.State.Ptes[14]!.Value.Frame, s.State.Ptes[14]!.Value.Prot, Bit(s, 14)));
        s.Cpu(new Call.UffdRegister(2, 3));
        Assert.Null(s.Call(new Call.UffdMove(14, 2, 1)).Line.Get("result"));
        s.RunCpu();
        Assert.Equal((f, true), (s.State.Ptes[2]!.Value.Frame, Bit(s, 2)));   // the bit moves with the page
        Assert.Equal(5, s.CpuView(2));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>fork clears the bit of every page it shares, present or swapped (copy_nonpresent_pte: pte_swp_clear_exclusive),
    /// where the counts would call the swap entry exclusive again once the child's copy is gone.</summary>
    [Fact]
    public void Fork_clears_the_bit_of_a_present_page_and_of_a_swap_entry()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(14, 1));
        s.Cpu(new Call.CpuWrite(15, 2));
        s.Cpu(new Call.MadvisePageout(15, 16));
        int f15 = s.State.Ptes[15]!.Value.Frame;
        Assert.Equal((true, true, true), (s.State.Ptes[15]!.Value.Swapped, Bit(s, 14), s.State.Frames[f15].AnonExclusive));
        s.Cpu(new Call.Fork());
        Assert.Equal((false, false), (Bit(s, 14), s.State.Frames[f15].AnonExclusive));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>Swap-out keeps the bit in the entry (try_to_unmap_one: pte_swp_mkexclusive) and swap-in gives it back
    /// (do_swap_page: RMAP_EXCLUSIVE, writable); an entry swapped out after fork and the child's copy is not exclusive:
    /// UFFDIO_MOVE refuses it, a read maps it read-only, and a write reuses it (do_wp_page), which sets the bit.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Swap_out_and_in_keep_the_bit_and_an_entry_fork_shared_stays_not_exclusive(bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantAnonExclusiveFromCounts = planted });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(13, 3));
        s.Cpu(new Call.MadvisePageout(13, 14));
        Assert.True(s.State.Frames[s.State.Ptes[13]!.Value.Frame].AnonExclusive);
        s.Cpu(new Call.CpuRead(13));
        Assert.Equal((Prot.ReadWrite, true), (s.State.Ptes[13]!.Value.Prot, Bit(s, 13)));

        var t = Forked(Vocabulary.Linux7_2, planted);
        int f = t.State.Ptes[14]!.Value.Frame;
        t.Cpu(new Call.MadvisePageout(14, 15));
        Assert.Equal((true, false), (t.State.Ptes[14]!.Value.Swapped, t.State.Frames[f].AnonExclusive));
        t.Cpu(new Call.UffdRegister(2, 3));
        var o = t.Call(new Call.UffdMove(14, 2, 1));
        t.RunCpu();
        Assert.Equal(planted ? null : "EBUSY (swap entry not exclusive: pte_swp_exclusive)", o.Line.Get("result"));
        if (planted) return;
        t.Cpu(new Call.CpuRead(14));
        Assert.Equal((f, Prot.Read, false), (t.State.Ptes[14]!.Value.Frame, t.State.Ptes[14]!.Value.Prot, Bit(t, 14)));
        int at = t.Trace.Count;
        t.Cpu(new Call.CpuWrite(14, 4));
        Assert.Empty(Events(t, at));
        Assert.Equal((f, Prot.ReadWrite, true), (t.State.Ptes[14]!.Value.Frame, t.State.Ptes[14]!.Value.Prot, Bit(t, 14)));
        Assert.Null(t.FirstViolation);
    }

    /// <summary>mprotect back to writable upgrades a PTE only for a PageAnonExclusive page (linux-7.2 mm/mprotect.c
    /// can_change_private_pte_writable): the parent's page fork shared stays read-only, its own written page is made writable.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mprotect_makes_writable_only_the_exclusive_page(bool planted)
    {
        var s = Forked(Vocabulary.Linux7_2, planted);
        s.Cpu(new Call.CpuWrite(12, 6));
        s.Cpu(new Call.Mprotect(12, 16, Prot.Read));
        s.Cpu(new Call.Mprotect(12, 16, Prot.ReadWrite));
        Assert.Equal(Prot.ReadWrite, s.State.Ptes[12]!.Value.Prot);
        Assert.Equal(planted ? Prot.ReadWrite : Prot.Read, s.State.Ptes[14]!.Value.Prot);
        Assert.Null(s.FirstViolation);
    }

    /// <summary>A migrated page keeps the bit through its migration entry (try_to_migrate_one: a readable-exclusive or writable
    /// entry for a PageAnonExclusive page; remove_migration_pte: RMAP_EXCLUSIVE): the new frame is as exclusive as the old.</summary>
    [Fact]
    public void Migration_carries_the_bit_to_the_new_page()
    {
        var s = Forked(Vocabulary.Linux7_2);
        s.Cpu(new Call.CpuWrite(12, 6));
        int f12 = s.State.Ptes[12]!.Value.Frame, f14 = s.State.Ptes[14]!.Value.Frame;
        s.Cpu(new Call.Migrate(12));
        s.Cpu(new Call.Migrate(14));
        Assert.NotEqual((f12, f14), (s.State.Ptes[12]!.Value.Frame, s.State.Ptes[14]!.Value.Frame));
        Assert.Equal((true, false), (Bit(s, 12), Bit(s, 14)));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>KSM's write_protect_page clears the bit of both pages (folio_try_share_anon_rmap_pte): the KSM page is not
    /// exclusive, and UFFDIO_MOVE refuses it.</summary>
    [Fact]
    public void A_ksm_page_is_not_exclusive()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(4, 9));
        s.Cpu(new Call.CpuWrite(5, 9));
        s.Cpu(new Call.KsmMerge(4, 5));
        Assert.Equal(s.State.Ptes[4]!.Value.Frame, s.State.Ptes[5]!.Value.Frame);
        Assert.False(Bit(s, 4));
        Assert.Null(s.FirstViolation);
    }
}
