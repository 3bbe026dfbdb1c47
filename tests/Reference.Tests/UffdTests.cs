using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>userfaultfd registration as state (issue 12 item 4): UFFDIO_REGISTER's VM_UFFD_WP, UFFDIO_WRITEPROTECT on
/// registered ranges only, the uffd-wp PTE bit, and UFFDIO_UNREGISTER's uffd_wp_range(.., false) (linux-7.2
/// mm/userfaultfd.c userfaultfd_register, mwriteprotect_range, uffd_wp_range, userfaultfd_unregister -> userfaultfd_clear_vma).</summary>
public class UffdTests
{
    private static Session New(params MirrorConfig[] mirrors) => new(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [.. mirrors]));

    private static string? Result(StepOutcome o) => (string?)o.Line.Get("result");

    /// <summary>Runs the call to completion; its call line's result.</summary>
    private static string? Run(Session s, Call c) { s.Cpu(c); return (string?)s.Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result"); }

    private static string Layout(Session s) => string.Join(" ", s.State.Vmas.Select(v => $"[{v.Start},{v.End}){(v.UffdWp ? "wp" : "")}"));

    private static List<string> Events(Session s, int from) => s.Trace.Skip(from).Where(l => l.Op == "invalidate_range_start")
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    [Fact]
    public void Register_splits_the_vma_at_the_range_edges_sends_nothing_and_keeps_the_registered_part_apart()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        int before = s.Trace.Count;
        s.Cpu(new Call.UffdRegister(9, 12));
        Assert.Equal("[0,9) [9,12)wp [12,16)", Layout(s));
        Assert.Equal(["uffdio_register", "vma_update"], s.Trace.Skip(before).Select(l => l.Op).ToList());
        // VMAs of different uffd flags are not one kernel VMA (mm/vma.c is_mergeable_vma)
        Assert.Equal(new PageRange(9, 12), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(10)!));
        Assert.Equal(new PageRange(0, 9), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(0)!));
        // registering again changes nothing (userfaultfd_register_range: "Nothing to do")
        s.Cpu(new Call.UffdRegister(10, 11));
        Assert.Equal("[0,9) [9,12)wp [12,16)", Layout(s));
    }

    [Fact]
    public void The_kernel_vma_layout_after_registration_decides_what_fork_copies()
    {
        // the live kernel's finding (docs/live-kernel.md): mmap 0 16 rw; uffd_wp 9 12; mmap 1 4 rw; guest_read 12;
        // guest_write 2 ..; fork -> the kernel's [4, 16) is not merged with the registered [9, 12), so the zero page of 12
        // (in [9, 12), which has no anon_vma) is not copied (mm/memory.c vma_needs_copy)
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(9, 12));
        s.Cpu(new Call.UffdWriteProtect(9, 12));
        s.Cpu(new Call.Mmap(1, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuRead(12));
        s.Cpu(new Call.CpuWrite(2, 535762));
        s.Cpu(new Call.Fork());
        Assert.Equal([2], s.State.Children[0].Keys.Order().ToArray());
        Assert.True(s.State.VmaAt(12)!.AnonVma is false);
    }

    [Fact]
    public void Write_protect_asks_for_registered_vmas_and_register_and_unregister_for_some_vma()
    {
        var s = New();
        Assert.Equal("EINVAL (no VMA in the range)", Result(s.Call(new Call.UffdRegister(0, 4))));
        Assert.Equal("EINVAL (no VMA in the range)", Result(s.Call(new Call.UffdUnregister(0, 4))));
        Assert.Equal("ENOENT (no VMA in the range)", Result(s.Call(new Call.UffdWriteProtect(0, 4))));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 7));
        Assert.Equal("ENOENT (VMA [0, 8) is not registered for write-protect)", Result(s.Call(new Call.UffdWriteProtect(0, 4))));
        Assert.True(s.State.Ptes[1]!.Value.Writable); // refused without effect
        s.Cpu(new Call.UffdRegister(0, 2));
        Assert.Equal("ENOENT (VMA [2, 8) is not registered for write-protect)", Run(s, new Call.UffdWriteProtect(0, 4)));
        Assert.True(s.State.Ptes[1]!.Value.UffdWp); // [0, 2) protected before the walk met [2, 8)
        Assert.Null(Run(s, new Call.UffdWriteProtect(0, 2)));
        // a hole is skipped (for_each_vma_range), registered VMAs on both sides are protected
        s.Cpu(new Call.Mmap(10, 12, Prot.ReadWrite));
        s.Cpu(new Call.Munmap(2, 8));
        s.Cpu(new Call.UffdRegister(0, 12));
        Assert.Equal("[0,2)wp [10,12)wp", Layout(s));
        Assert.Null(Run(s, new Call.UffdWriteProtect(0, 12)));
    }

    /// <summary>linux-7.2 (and 6.12) mm/userfaultfd.c mwriteprotect_range: for_each_vma_range protects each registered VMA in
    /// turn (uffd_wp_range) and stops at the first one not registered with -ENOENT: the VMAs before it stay protected. The
    /// plant (PlantUffdWpRefusesWhole) refuses the whole call without effect, as the reference did before session 14.</summary>
    [Theory]
    [InlineData(false, "frame 1 r dirty soft-dirty uffd-wp", "MMU_NOTIFY_PROTECTION_VMA[0,4)")]
    [InlineData(true, "frame 1 rw dirty soft-dirty", null)]
    public void Write_protect_protects_the_registered_vmas_before_one_not_registered_then_fails(bool plant, string pte1, string? bracket)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("kvm", MirrorKind.Mm)]) { PlantUffdWpRefusesWhole = plant });
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuWrite(5, 8));
        s.Cpu(new Call.UffdRegister(0, 4));
        int before = s.Trace.Count;
        Assert.Equal("ENOENT (VMA [4, 8) is not registered for write-protect)", Run(s, new Call.UffdWriteProtect(0, 8)));
        Assert.Equal(bracket is null ? [] : [bracket], Events(s, before));
        Assert.Equal(pte1, PteText.Of(s.State.Ptes[1]));
        Assert.Equal("frame 2 rw dirty soft-dirty", PteText.Of(s.State.Ptes[5]));
        Assert.Equal("[0,4)wp [4,8)", Layout(s));
        Assert.Null(s.FirstViolation);
        // the first VMA not registered: -ENOENT before any uffd_wp_range, in both
        before = s.Trace.Count;
        Assert.Equal("ENOENT (VMA [4, 8) is not registered for write-protect)", Run(s, new Call.UffdWriteProtect(4, 8)));
        Assert.Empty(Events(s, before));
    }

    /// <summary>linux-6.1 mm/userfaultfd.c mwriteprotect_range -> find_dst_vma: the range must lie inside one VMA registered
    /// with the userfaultfd, else -ENOENT before anything changes; linux-6.12 on walks the VMAs (for_each_vma_range, holes
    /// skipped). The plant (PlantUffdWpWalksVmas6_1) gives linux-6.1 the later walk.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux6_1, false, "ENOENT (range not inside one VMA: find_dst_vma)", "frame 1 rw dirty soft-dirty")]
    [InlineData(Vocabulary.Linux6_1, true, null, "frame 1 r dirty soft-dirty uffd-wp")]
    [InlineData(Vocabulary.Linux6_12, false, null, "frame 1 r dirty soft-dirty uffd-wp")]
    [InlineData(Vocabulary.Linux7_2, false, null, "frame 1 r dirty soft-dirty uffd-wp")]
    public void Write_protect_over_a_hole_walks_the_vmas_from_6_12_on_and_fails_in_6_1(Vocabulary v, bool plant, string? result, string pte1)
    {
        var s = new Session(new MmConfig(16, 4, 48, v) { PlantUffdWpWalksVmas6_1 = plant });
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuWrite(6, 8));
        s.Cpu(new Call.UffdRegister(0, 8));
        s.Cpu(new Call.Munmap(4, 5));
        Assert.Equal(result, Run(s, new Call.UffdWriteProtect(0, 8)));
        Assert.Equal(pte1, PteText.Of(s.State.Ptes[1]));
        Assert.Equal(result is null, s.State.Ptes[6]!.Value.UffdWp);
        // inside one VMA: protected in every release
        Assert.Null(Run(s, new Call.UffdWriteProtect(5, 8)));
        Assert.True(s.State.Ptes[6]!.Value.UffdWp);
        Assert.Null(s.FirstViolation);
    }

    /// <summary>KSM merges uffd-wp pages as any other (linux-7.2 mm/ksm.c: no userfaultfd check): the kept page's PTE keeps its
    /// bit (write_protect_page), the replaced one's is lost (replace_page: mk_pte(kpage, vma->vm_page_prot)), so a write there
    /// copies the KSM page without the handler. The plant (PlantKsmKeepsUffdWp) keeps the bit: the write waits.</summary>
    [Theory]
    [InlineData(false, "frame 1 r soft-dirty", null)]
    [InlineData(true, "frame 1 r soft-dirty uffd-wp", "EAGAIN (uffd-wp: the write waits in handle_userfault until the page is un-protected)")]
    public void Ksm_keeps_the_kept_pages_uffd_wp_bit_and_drops_the_replaced_ones(bool plant, string pte1, string? write1)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantKsmKeepsUffdWp = plant });
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.CpuWrite(3, 5));
        s.Cpu(new Call.UffdRegister(0, 8));
        s.Cpu(new Call.UffdWriteProtect(0, 8));
        Assert.Null(Run(s, new Call.KsmMerge(3, 1)));
        Assert.Equal("frame 2 r soft-dirty uffd-wp", PteText.Of(s.State.Ptes[3]));
        Assert.Equal(pte1.Replace("frame 1", "frame 2"), PteText.Of(s.State.Ptes[1]));
        Assert.Equal(write1, Run(s, new Call.CpuWrite(1, 6)));
        Assert.Equal("EAGAIN (uffd-wp: the write waits in handle_userfault until the page is un-protected)", Run(s, new Call.CpuWrite(3, 6)));
        Assert.Equal(plant ? 5 : 6, s.CpuView(1));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>UFFDIO_REGISTER splits the kernel's VMA at the range's edges only (mm/vma.c vma_modify_flags_uffd -> __split_vma
    /// -> vma_adjust_trans_huge splits a huge PMD straddling a new edge): after an mprotect that changed nothing (the reference
    /// keeps its pieces, one kernel VMA), a piece boundary inside a PMD-mapped block is no edge of the kernel's, and the block
    /// stays huge. Found live (host-only, 6.18.44): `mmap_thp 0 1024 rw; host_write 601 ..; mprotect 193 1002 rw;
    /// uffd_register 195 1024` kept its PMD (smaps AnonHugePages). The plant (PlantUffdRegisterSplitsPieces) splits at 10.</summary>
    [Theory]
    [InlineData(false, true, new string[0])]
    [InlineData(true, false, new[] { "MMU_NOTIFY_CLEAR[8,12)", "MMU_NOTIFY_CLEAR[8,12)" })]
    public void Register_splits_a_huge_pmd_at_the_kernel_vmas_edges_not_at_the_pieces(bool plant, bool huge, string[] brackets)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantUffdRegisterSplitsPieces = plant });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(9, 7));
        Assert.True(s.State.Ptes[9]!.Value.Huge);
        s.Cpu(new Call.Mprotect(3, 10, Prot.ReadWrite));
        int before = s.Trace.Count;
        Assert.Null(Run(s, new Call.UffdRegister(5, 16)));
        Assert.Equal(brackets, Events(s, before));
        Assert.Equal(huge, s.State.Ptes[9]!.Value.Huge);
        Assert.Equal(new PageRange(5, 16), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(9)!));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Write_protect_sets_the_uffd_wp_bit_under_protection_vma_and_a_write_there_waits_for_the_handler()
    {
        var s = New(new MirrorConfig("kvm", MirrorKind.Mm));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuRead(2));
        s.Cpu(new Call.UffdRegister(0, 8));
        int before = s.Trace.Count;
        s.Cpu(new Call.UffdWriteProtect(0, 4));
        Assert.Equal(["MMU_NOTIFY_PROTECTION_VMA[0,4)"], Events(s, before));
        Assert.Equal("frame 1 r dirty soft-dirty uffd-wp", PteText.Of(s.State.Ptes[1]));
        Assert.Equal("frame 0 r soft-dirty uffd-wp", PteText.Of(s.State.Ptes[2])); // the zero page has the bit too
        Assert.Equal(Prot.ReadWrite, s.State.VmaAt(1)!.Prot);
        Assert.Equal("EAGAIN (uffd-wp: the write waits in handle_userfault until the page is un-protected)", Result(s.Call(new Call.CpuWrite(1, 8))));
        s.DeviceWrite(0, 1, 9);
        Assert.Equal("EAGAIN (uffd-wp: the write waits in handle_userfault until the page is un-protected)", s.LastError(0));
        // the handler's un-protect of one page (mode 0): the bit cleared, the exclusive page writable again
        before = s.Trace.Count;
        s.Cpu(new Call.UffdWriteProtect(1, 2, Wp: false));
        Assert.Equal(["MMU_NOTIFY_PROTECTION_VMA[1,2)"], Events(s, before));
        Assert.Equal("frame 1 rw dirty soft-dirty", PteText.Of(s.State.Ptes[1]));
        s.Cpu(new Call.CpuWrite(1, 8));
        Assert.Equal(8, s.CpuView(1));
        // the zero page: the bit cleared, still read-only (no anonymous exclusive page), a write copies it
        s.Cpu(new Call.UffdWriteProtect(2, 3, Wp: false));
        Assert.Equal("frame 0 r soft-dirty", PteText.Of(s.State.Ptes[2]));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Unregister_clears_the_bits_through_uffd_wp_range_and_the_vma_merges_back()
    {
        var s = New(new MirrorConfig("kvm", MirrorKind.Mm));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(5, 3));
        s.Cpu(new Call.CpuWrite(6, 4));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.UffdWriteProtect(4, 8));
        s.Cpu(new Call.Fork()); // pages 5 and 6 shared with the child: not exclusive
        int before = s.Trace.Count;
        s.Cpu(new Call.UffdUnregister(0, 16));
        Assert.Equal(["MMU_NOTIFY_PROTECTION_VMA[4,8)"], Events(s, before));
        Assert.Equal(["uffdio_unregister", "invalidate_range_start", "invalidate", "pte_update", "pte_update", "tlb_flush", "invalidate_range_end", "vma_update"],
            s.Trace.Skip(before).Select(l => l.Op).ToList());
        Assert.Equal("frame 1 r dirty soft-dirty", PteText.Of(s.State.Ptes[5])); // shared with the child since fork: stays read-only
        Assert.Equal("frame 2 r dirty soft-dirty", PteText.Of(s.State.Ptes[6]));
        Assert.Equal("[0,4) [4,8) [8,16)", Layout(s));
        Assert.Equal(new PageRange(0, 16), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(5)!));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Unregister_makes_an_exclusive_page_writable_again()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(5, 3));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.UffdWriteProtect(4, 8));
        Assert.False(s.State.Ptes[5]!.Value.Writable);
        s.Cpu(new Call.UffdUnregister(4, 8));
        Assert.Equal("frame 1 rw dirty soft-dirty", PteText.Of(s.State.Ptes[5]));
        Assert.False(s.State.VmaAt(5)!.UffdWp);
        Assert.Null(s.FirstViolation);
    }

    /// <summary>linux-6.1 mm/userfaultfd.c uffd_wp_range passes MM_CP_UFFD_WP_RESOLVE without MM_CP_TRY_CHANGE_WRITABLE (6.12's
    /// mwriteprotect_range / uffd_wp_range add it): the un-protected page stays read-only until its write fault.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux6_1, "frame 1 r dirty soft-dirty")]
    [InlineData(Vocabulary.Linux6_12, "frame 1 rw dirty soft-dirty")]
    public void Unprotect_upgrades_an_exclusive_page_from_6_12_on(Vocabulary v, string pte)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, []));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(5, 3));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.UffdWriteProtect(4, 8));
        s.Cpu(new Call.UffdWriteProtect(5, 6, Wp: false));
        Assert.Equal(pte, PteText.Of(s.State.Ptes[5]));
        s.Cpu(new Call.CpuWrite(5, 4)); // 6.1: do_wp_page reuses it (wp_page_reuse), no copy
        Assert.Equal("frame 1 rw dirty soft-dirty", PteText.Of(s.State.Ptes[5]));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Mremap_drops_the_bits_and_the_registration_migration_and_swap_keep_the_bit()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        for (int p = 0; p < 3; p++) s.Cpu(new Call.CpuWrite(p, p + 1));
        s.Cpu(new Call.UffdRegister(0, 8));
        s.Cpu(new Call.UffdWriteProtect(0, 8));
        s.Cpu(new Call.Migrate(0));
        Assert.True(s.State.Ptes[0]!.Value.UffdWp);
        Assert.False(s.State.Ptes[0]!.Value.Writable);
        s.Cpu(new Call.MadvisePageout(1, 2));
        Assert.True(s.State.Ptes[1] is { Swapped: true, UffdWp: true });
        s.Cpu(new Call.CpuRead(1)); // do_swap_page keeps the bit, read-only
        Assert.True(s.State.Ptes[1] is { Swapped: false, UffdWp: true, Writable: false });
        s.Cpu(new Call.Mremap(2, 3, 12)); // without UFFD_FEATURE_EVENT_REMAP: the moved VMA unregistered, the bit cleared
        Assert.True(s.State.Ptes[12] is { UffdWp: false });
        Assert.False(s.State.VmaAt(12)!.UffdWp);
        Assert.True(s.State.VmaAt(3)!.UffdWp);
        Assert.Equal("ENOSYS (collapse in a userfaultfd-registered VMA is not modelled)", Result(s.Call(new Call.MadviseCollapse(4, 8))));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void A_register_write_protect_unregister_trace_replays_with_the_same_bits()
    {
        var s = New(new MirrorConfig("kvm", MirrorKind.Mm));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.DeviceRead(0, 1);
        s.Cpu(new Call.UffdRegister(0, 6));
        s.Cpu(new Call.UffdWriteProtect(0, 6));
        s.Cpu(new Call.UffdWriteProtect(1, 2, Wp: false));
        s.Cpu(new Call.UffdWriteProtect(1, 2));
        s.Cpu(new Call.UffdUnregister(1, 3));
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.Contains("\"op\":\"uffdio_writeprotect\"") && l.Contains("\"wp\":false"));
        var r = Replay.Run(lines);
        Assert.Equal(ReplayVerdict.Accepted, r.Verdict);
        Assert.Equal(s.State.Ptes.ToArray(), r.Final!.Ptes.ToArray());
        Assert.Equal(s.State.Vmas.ToArray(), r.Final.Vmas.ToArray());
        Assert.Equal("[0,1)wp [1,3) [3,6)wp [6,8)", Layout(s));
    }
}
