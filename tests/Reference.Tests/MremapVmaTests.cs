using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>What mremap leaves of the kernel's VMAs (docs/kernel.md, "mremap of a userfaultfd-registered VMA"): linux-7.2
/// mm/mremap.c copy_vma_and_data -> mm/vma.c copy_vma (vma_merge_copied_range with the source's flags, uffd context and
/// anon_vma), then mm/userfaultfd.c mremap_userfaultfd_prep -> userfaultfd_reset_ctx; and break_ksm's unshare copy
/// (mm/memory.c wp_page_copy) keeping the old PTE's soft-dirty bit.</summary>
public class MremapVmaTests
{
    private static Session New(Vocabulary v = Vocabulary.Linux7_2, bool plant = false) =>
        new(new MmConfig(16, 4, 48, v) { PlantMremapUffdMerges = plant });

    private static string? Run(Session s, Call c) { s.Cpu(c); return (string?)s.Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result"); }

    /// <summary>The kernel's VMAs: the distinct merged runs of the reference's pieces, each with its anon_vma (a), VM_LOCKED (lo)
    /// and VM_UFFD_WP (wp).</summary>
    internal static string KernelVmas(Session s) => string.Join(" ", s.State.Vmas.Select(v => (Run: Vma.MergedRun(s.State.Vmas, v), v)).DistinctBy(x => x.Run)
        .Select(x => $"{x.Run}{(x.v.AnonVma ? "a" : "")}{(x.v.Mlocked ? "lo" : "")}{(x.v.UffdWp ? "wp" : "")}"));

    private static Session MoveRegistered(bool plant)
    {
        // the live repro (found by `notifier kernel --time 3m --seed 9`): mmap 0 16 rw; uffd_register 15 16; guest_read 3;
        // mremap 15 16 10 (MREMAP_FIXED: [10, 11) unmapped first); guest_write 14 961880; fork
        var s = New(plant: plant);
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(15, 16));
        s.Cpu(new Call.CpuRead(3));
        s.Cpu(new Call.Munmap(10, 11));
        s.Cpu(new Call.Mremap(15, 16, 10));
        return s;
    }

    [Fact]
    public void Mremap_of_a_registered_vma_leaves_it_apart_from_equal_neighbours_and_fork_copies_only_the_written_one()
    {
        var s = MoveRegistered(plant: false);
        // copy_vma could not merge [10, 11) (VM_UFFD_WP) with [0, 10) or [11, 15); mremap_userfaultfd_prep then dropped its flags
        Assert.Equal("[0, 10) [10, 11) [11, 15)", KernelVmas(s));
        Assert.Equal([false, true, true], s.State.Vmas.Select(v => v.Seam).ToArray());
        s.Cpu(new Call.CpuWrite(14, 961880));
        Assert.Equal("[0, 10) [10, 11) [11, 15)a", KernelVmas(s));
        s.Cpu(new Call.Fork());
        // vma_needs_copy: only [11, 15) has an anon_vma; the zero page of 3 is not copied
        Assert.Equal([14], s.State.Children[0].Keys.Order().ToArray());
        // the seam goes where the kernel tries a merge: mprotect of [10, 11) to r and back merges it with both neighbours
        s.Cpu(new Call.Mprotect(10, 11, Prot.Read));
        s.Cpu(new Call.Mprotect(10, 11, Prot.ReadWrite));
        Assert.Equal("[0, 15)a", KernelVmas(s));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void The_planted_old_reference_merges_the_moved_vma_and_fork_copies_the_zero_page_too()
    {
        var s = MoveRegistered(plant: true);
        Assert.Equal("[0, 15)", KernelVmas(s));
        s.Cpu(new Call.CpuWrite(14, 961880));
        s.Cpu(new Call.Fork());
        Assert.Equal([3, 14], s.State.Children[0].Keys.Order().ToArray());
    }

    [Fact]
    public void Mremap_of_a_registered_vma_next_to_a_registered_one_merges_them_and_unregisters_both()
    {
        // copy_vma merges the moved [10, 11) into the registered [8, 10) (same flags and context, pgoff in line, [8, 10)'s anon_vma
        // shared), and mremap_userfaultfd_prep drops the flags of the whole merged VMA; [0, 8) and [11, 13) stay apart from it
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant: plant);
            s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
            s.Cpu(new Call.UffdRegister(8, 10));
            s.Cpu(new Call.CpuWrite(9, 5));
            s.Cpu(new Call.UffdWriteProtect(8, 10));
            s.Cpu(new Call.UffdRegister(13, 14));
            s.Cpu(new Call.Munmap(10, 11));
            s.Cpu(new Call.Mremap(13, 14, 10));
            if (plant)
            {
                Assert.Equal("[0, 8) [8, 10)awp [10, 13) [14, 16)", KernelVmas(s));
                Assert.StartsWith("EAGAIN (uffd-wp", Run(s, new Call.CpuWrite(9, 7)));
                continue;
            }
            Assert.Equal("[0, 8) [8, 11)a [11, 13) [14, 16)", KernelVmas(s));
            Assert.True(s.State.Ptes[9] is { UffdWp: true, Writable: false }); // the PTE keeps its bit, the VMA no longer asks for it
            Assert.Equal("ENOENT (VMA [8, 10) is not registered for write-protect)", Run(s, new Call.UffdWriteProtect(8, 9)));
            Assert.Null(Run(s, new Call.CpuWrite(9, 7))); // an ordinary write fault: the page is exclusive, reused
            Assert.Equal(7, s.CpuView(9));
            Assert.Null(s.FirstViolation);
        }
    }

    [Fact]
    public void An_unfaulted_vma_moved_next_to_one_with_an_anon_vma_shares_it_and_so_does_the_rest_of_its_source()
    {
        // seen live on the reference before (no anon_vma runs after mremap): `mmap 0 10 rw; mmap 12 16 rw; host_write 1 5;
        // guest_read 13; mremap 12 14 10; fork` -> child 0 pagemap present of page 11: live kernel present, reference not present.
        // copy_vma gives the unfaulted VMA the new address's pgoff, so it merges with [0, 10) (anon_vma: is_mergeable_anon_vma
        // case 2) and with its own source [12, 16) (the "vma_merge with self"); [14, 16) is left of the source after the unmap
        var s = New(Vocabulary.Linux6_18);
        s.Cpu(new Call.Mmap(0, 10, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(12, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.CpuRead(13));
        s.Cpu(new Call.CpuRead(15));
        s.Cpu(new Call.Mremap(12, 14, 10));
        Assert.Equal("[0, 12)a [14, 16)a", KernelVmas(s));
        s.Cpu(new Call.Fork());
        Assert.Equal([1, 11, 15], s.State.Children[0].Keys.Order().ToArray());
        Assert.Null(s.FirstViolation);
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18, false)]
    [InlineData(Vocabulary.Linux6_12, false)]
    [InlineData(Vocabulary.Linux7_2, false)]
    [InlineData(Vocabulary.Linux6_1, true)]
    public void Break_ksm_copies_keep_the_old_ptes_soft_dirty_bit_and_the_move_sets_it(Vocabulary v, bool softDirty)
    {
        // linux-7.2 and 6.12 mm/ksm.c break_ksm faults with FAULT_FLAG_UNSHARE: mm/memory.c wp_page_copy maps the copy without
        // pte_mkdirty (which on x86 sets _PAGE_SOFT_DIRTY: arch/x86/include/asm/pgtable.h) and with the old PTE's soft-dirty bit;
        // linux-6.1 faults with FAULT_FLAG_WRITE: maybe_mkwrite(pte_mkdirty()), soft-dirty. move_ptes then marks the moved PTE
        // soft-dirty in every release (mm/mremap.c move_soft_dirty_pte), so only the break's step shows the difference
        var s = New(v);
        s.Cpu(new Call.Mmap(8, 16, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(11, 9));
        s.Cpu(new Call.CpuWrite(13, 9));
        s.Cpu(new Call.KsmMerge(13, 11));
        int kf = s.State.Ptes[11]!.Value.Frame;
        s.Cpu(new Call.ClearRefs());
        Assert.True(s.State.Ptes[11] is { SoftDirty: false });
        int from = s.Trace.Count;
        s.Cpu(new Call.Mremap(9, 12, 2));
        var copy = s.Trace.Skip(from).Where(l => l.Op == "pte_update" && (int)l.Get("page")! == 11).Select(l => (Pte?)l.Get("new"))
            .Single(p => p is { } x && x.Frame != kf)!.Value;
        Assert.Equal((softDirty, softDirty), (copy.SoftDirty, copy.Dirty));
        Assert.True(s.State.Ptes[4] is { SoftDirty: true } moved && moved.Frame == copy.Frame);
        Assert.Null(s.FirstViolation);
    }
}
