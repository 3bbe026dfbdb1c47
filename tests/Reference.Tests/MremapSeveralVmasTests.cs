using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>mremap (MREMAP_MAYMOVE | MREMAP_FIXED, no resize) whose source covers several VMAs (docs/kernel.md "mremap over
/// several VMAs"): linux-7.2 mm/mremap.c remap_move moves each VMA of the range in address order, each with its own
/// move_page_tables bracket, keeping the gaps between them; linux-6.12 and 6.1 mremap_to -> vma_to_resize refuse with
/// -EFAULT. linux-6.18 follows 7.2 (seen on the 6.18.44 kernel). Planted: MmConfig.PlantMremapOneVma (the one-VMA rule in
/// every vocabulary, the reference before session 14).</summary>
public class MremapSeveralVmasTests
{
    private static Session New(Vocabulary v = Vocabulary.Linux7_2, bool plant = false) =>
        new(new MmConfig(16, 4, 48, v) { PlantMremapOneVma = plant });

    private static string? Run(Session s, Call c) { s.Cpu(c); return (string?)s.Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result"); }

    private static string KernelVmas(Session s) => MremapVmaTests.KernelVmas(s);

    private static string Prots(Session s) => string.Join(" ", s.State.Vmas.Select(v => $"{v.Range}{PteText.ProtText(v.Prot)}"));

    private static string[] Brackets(Session s, int from) => [.. s.Trace.Skip(from).Where(l => l.Op == "invalidate_range_start")
        .Select(l => $"{l.Get("event")} [{l.Get("start")}, {l.Get("end")})")];

    /// <summary>[0, 4) rw and [4, 8) r (two VMAs: their flags differ), pages 1 and 5 written before the second became r.</summary>
    private static Session TwoVmas(Vocabulary v = Vocabulary.Linux7_2, bool plant = false)
    {
        var s = New(v, plant);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 11));
        s.Cpu(new Call.CpuWrite(5, 15));
        s.Cpu(new Call.Mprotect(4, 8, Prot.Read));
        return s;
    }

    [Theory]
    [InlineData(Vocabulary.Linux7_2)]
    [InlineData(Vocabulary.Linux6_18)]
    public void Two_vmas_move_one_after_the_other_each_under_its_own_unmap_bracket(Vocabulary v)
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = TwoVmas(v, plant);
            int from = s.Trace.Count;
            string? result = Run(s, new Call.Mremap(0, 8, 8));
            if (plant)
            {
                // the one-VMA rule: refused, nothing moved
                Assert.Equal("EFAULT (source not one VMA)", result);
                Assert.Empty(Brackets(s, from));
                Assert.Equal("[0, 4)rw [4, 8)r", Prots(s));
                continue;
            }
            Assert.Null(result);
            // remap_move: move_vma of [0, 4), then of [4, 8); move_page_tables' MMU_NOTIFY_UNMAP over each piece
            Assert.Equal(["MMU_NOTIFY_UNMAP [0, 4)", "MMU_NOTIFY_UNMAP [4, 8)"], Brackets(s, from));
            Assert.Equal(2, s.Trace.Skip(from).Count(l => l.Op == "vma_update"));
            Assert.Equal("[8, 12)rw [12, 16)r", Prots(s));
            Assert.Equal((11, 15), (s.State.CpuView(9), s.State.CpuView(13)));
            Assert.Equal(Enumerable.Repeat<Pte?>(null, 8), s.State.Ptes.Take(8));
            Assert.Null(s.FirstViolation);
        }
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_12)]
    [InlineData(Vocabulary.Linux6_1)]
    public void Before_6_17_a_source_over_two_vmas_is_efault_and_nothing_moves(Vocabulary v)
    {
        var s = TwoVmas(v);
        int from = s.Trace.Count;
        // linux-6.12 and 6.1 mm/mremap.c vma_to_resize: "We can't remap across vm area boundaries" -> -EFAULT
        Assert.Equal("EFAULT (source not one VMA)", Run(s, new Call.Mremap(0, 8, 8)));
        Assert.Empty(Brackets(s, from));
        Assert.Equal("[0, 4)rw [4, 8)r", Prots(s));
        Assert.Equal((11, 15), (s.State.CpuView(1), s.State.CpuView(5)));
        // and so is one VMA with a gap after it (old_len > vma->vm_end - addr), which linux-7.2 moves
        var g = New(v);
        g.Cpu(new Call.Mmap(0, 2, Prot.ReadWrite));
        Assert.Equal("EFAULT (source not one VMA)", Run(g, new Call.Mremap(0, 4, 8)));
        var g72 = New();
        g72.Cpu(new Call.Mmap(0, 2, Prot.ReadWrite));
        Assert.Null(Run(g72, new Call.Mremap(0, 4, 8)));
        Assert.Equal("[8, 10)rw", Prots(g72));
    }

    [Fact]
    public void A_gap_between_vmas_is_kept_at_the_destination_and_the_page_facing_it_stays_mapped()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant: plant);
            s.Cpu(new Call.Mmap(0, 2, Prot.ReadWrite));
            s.Cpu(new Call.Mmap(3, 5, Prot.ReadWrite));
            s.Cpu(new Call.CpuWrite(3, 7));
            s.Cpu(new Call.Mmap(10, 11, Prot.Read));   // facing the gap [2, 3) at the destination [8, 14)
            int from = s.Trace.Count;
            string? result = Run(s, new Call.Mremap(0, 6, 8));
            if (plant) { Assert.Equal("EFAULT (source not one VMA)", result); continue; }
            Assert.Null(result);
            // remap_move: B' at A'->vm_end + X; mremap_to's do_munmap covers [8, 10) and [11, 13) only
            Assert.Equal(["MMU_NOTIFY_UNMAP [0, 2)", "MMU_NOTIFY_UNMAP [3, 5)"], Brackets(s, from));
            Assert.Equal("[8, 10)rw [10, 11)r [11, 13)rw", Prots(s));
            Assert.Equal(7, s.State.CpuView(11));
            Assert.Null(s.FirstViolation);
        }
    }

    [Fact]
    public void A_gap_at_the_start_or_no_vma_at_all_is_efault()
    {
        var s = New();
        s.Cpu(new Call.Mmap(1, 3, Prot.ReadWrite));
        // remap_move: "No gap permitted at the start of the range"
        Assert.Equal("EFAULT (a gap at the start of the source)", Run(s, new Call.Mremap(0, 3, 8)));
        Assert.Equal("EFAULT (no VMA in the source)", Run(s, new Call.Mremap(4, 6, 8)));
        Assert.Equal("[1, 3)rw", Prots(s));
    }

    [Fact]
    public void A_userfaultfd_armed_vma_moves_alone_and_a_later_one_stops_the_move_after_the_vmas_before_it()
    {
        // vma_multi_allowed: userfaultfd_armed -> the second VMA: -EFAULT after the first moved
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 4));
        s.Cpu(new Call.UffdRegister(4, 8));
        int from = s.Trace.Count;
        Assert.Equal("EFAULT (a userfaultfd-armed VMA among several)", Run(s, new Call.Mremap(0, 8, 8)));
        Assert.Equal(["MMU_NOTIFY_UNMAP [0, 4)"], Brackets(s, from));
        Assert.Equal(1, s.Trace.Skip(from).Count(l => l.Op == "vma_update"));
        Assert.Equal("[4, 8)awp [8, 12)a", KernelVmas(s));
        Assert.Equal(4, s.State.CpuView(9));
        Assert.Null(s.FirstViolation);
        // the first VMA armed, more after it (or a gap after it): -EFAULT, nothing moved; alone and exact: moved
        var f = New();
        f.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        f.Cpu(new Call.UffdRegister(0, 4));
        Assert.Equal("EFAULT (a userfaultfd-armed VMA among several)", Run(f, new Call.Mremap(0, 8, 8)));
        Assert.Equal("[0, 4)wp [4, 8)", KernelVmas(f));
        Assert.Null(Run(f, new Call.Mremap(0, 4, 8)));
        Assert.Equal("[4, 8) [8, 12)", KernelVmas(f));
        var a = New();
        a.Cpu(new Call.Mmap(0, 2, Prot.ReadWrite));
        a.Cpu(new Call.UffdRegister(0, 2));
        Assert.Equal("EFAULT (a userfaultfd-armed VMA among several)", Run(a, new Call.Mremap(0, 4, 8)));
    }

    [Fact]
    public void Dontunmap_moves_each_vma_and_keeps_each_old_one()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = TwoVmas(plant: plant);
            int from = s.Trace.Count;
            string? result = Run(s, new Call.MremapDontunmap(0, 8, 8));
            if (plant) { Assert.Equal("EFAULT (source not one VMA)", result); continue; }
            Assert.Null(result);
            Assert.Equal(["MMU_NOTIFY_UNMAP [0, 4)", "MMU_NOTIFY_UNMAP [4, 8)"], Brackets(s, from));
            Assert.Equal("[0, 4)rw [4, 8)r [8, 12)rw [12, 16)r", Prots(s));
            Assert.Equal((11, 15), (s.State.CpuView(9), s.State.CpuView(13)));
            Assert.Null(s.FirstViolation);
        }
        // check_prep_vma of a later hugetlb VMA: -EINVAL after the first moved
        var h = New();
        h.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        h.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite, Hugetlb: true));
        Assert.Equal("EINVAL (MREMAP_DONTUNMAP of a VM_DONTEXPAND VMA: hugetlb)", Run(h, new Call.MremapDontunmap(0, 8, 8)));
        Assert.Equal("[0, 4)rw [4, 8)rw [8, 12)rw", Prots(h));
    }

    [Fact]
    public void A_multi_vma_move_and_one_stopped_part_way_replay_from_their_trace()
    {
        var s = TwoVmas();
        s.Cpu(new Call.Mremap(0, 8, 8));
        s.Cpu(new Call.UffdRegister(12, 16));
        s.Cpu(new Call.Mremap(8, 16, 0));
        s.Cpu(new Call.CpuWrite(1, 3));
        Assert.Equal("[0, 4)rw [12, 16)r", Prots(s));
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var r = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ReplayVerdict.Accepted, r.Verdict);
    }
}
