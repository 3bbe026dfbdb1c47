namespace NotifierSpec.Reference;

/// <summary>
/// A call into the model: a syscall or kernel path run by the CPU (each becomes a CpuOp run step by
/// step), or a device request (lib/test_hmm.c ioctls). Names follow the kernel.
/// </summary>
public abstract record Call
{
    public abstract string Name { get; }

    public sealed record Mmap(int Start, int End, Prot Prot, bool Shared = false, bool Thp = false, bool Mergeable = false, bool Hugetlb = false) : Call { public override string Name => "mmap"; }
    public sealed record Munmap(int Start, int End) : Call { public override string Name => "munmap"; }
    public sealed record Mprotect(int Start, int End, Prot Prot) : Call { public override string Name => "mprotect"; }
    public sealed record Mremap(int OldStart, int OldEnd, int NewStart) : Call { public override string Name => "mremap"; }
    /// <summary>mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, new): the page tables move as mremap's do
    /// (linux-7.2 mm/mremap.c move_vma -> copy_vma_and_data -> move_page_tables), but the old range keeps its VMA, empty
    /// (move_vma skips unmap_source_vma; dontunmap_complete), so a later access there faults a new page.</summary>
    public sealed record MremapDontunmap(int OldStart, int OldEnd, int NewStart) : Call { public override string Name => "mremap_dontunmap"; }
    public sealed record MadviseDontneed(int Start, int End) : Call { public override string Name => "madvise_dontneed"; }
    public sealed record MadviseFree(int Start, int End) : Call { public override string Name => "madvise_free"; }
    /// <summary>madvise(MADV_PAGEOUT) with swap: linux-7.2 mm/madvise.c madvise_pageout -> reclaim_pages -> mm/vmscan.c
    /// shrink_folio_list -> mm/rmap.c try_to_unmap -> try_to_unmap_one (MMU_NOTIFY_CLEAR): each exclusive anonymous page's
    /// PTE becomes a swap entry; its next fault (do_swap_page) maps it again.</summary>
    public sealed record MadvisePageout(int Start, int End) : Call { public override string Name => "madvise_pageout"; }
    public sealed record Truncate(int Start, int End) : Call { public override string Name => "truncate"; }
    public sealed record CpuRead(int Page) : Call { public override string Name => "cpu_read"; }
    public sealed record CpuWrite(int Page, int Value) : Call { public override string Name => "cpu_write"; }
    public sealed record Fork : Call { public override string Name => "fork"; }
    /// <summary>A store of Value by forked child Child (0 the first fork) at Page: the write fault on the child's own mm
    /// (linux-7.2 mm/memory.c handle_mm_fault on the child's mm: do_wp_page, or do_anonymous_page where the child has no PTE).
    /// Planner.ChildWrite.</summary>
    public sealed record ChildWrite(int Child, int Page, int Value) : Call { public override string Name => "child_write"; }
    public sealed record Migrate(int Page) : Call { public override string Name => "migrate_pages"; }
    public sealed record KsmMerge(int Page, int Other) : Call { public override string Name => "ksm_merge"; }
    public sealed record SplitHuge(int Page) : Call { public override string Name => "split_huge_page"; }
    public sealed record CollapseHuge(int Page) : Call { public override string Name => "collapse_huge_page"; }
    public sealed record Mlock(int Start, int End) : Call { public override string Name => "mlock"; }
    public sealed record Munlock(int Start, int End) : Call { public override string Name => "munlock"; }
    public sealed record Writeback(int Page) : Call { public override string Name => "writeback"; }
    public sealed record ClearRefs : Call { public override string Name => "clear_refs"; }
    /// <summary>ioctl(UFFDIO_WRITEPROTECT) on a range registered with UFFDIO_REGISTER_MODE_WP: mm/userfaultfd.c
    /// mwriteprotect_range -> uffd_wp_range -> change_protection, mode WP (Wp, MM_CP_UFFD_WP: the PTEs write-protected with
    /// the uffd-wp bit) or mode 0 (MM_CP_UFFD_WP_RESOLVE: the bit cleared, an exclusive page made writable again); the VMA
    /// keeps its protection.</summary>
    public sealed record UffdWriteProtect(int Start, int End, bool Wp = true) : Call { public override string Name => "uffdio_writeprotect"; }
    /// <summary>ioctl(UFFDIO_REGISTER, UFFDIO_REGISTER_MODE_WP) over [Start, End): linux-7.2 mm/userfaultfd.c userfaultfd_register
    /// -> userfaultfd_register_range: the VMAs in the range get VM_UFFD_WP (split at the range's edges); no PTE changes.</summary>
    public sealed record UffdRegister(int Start, int End) : Call { public override string Name => "uffdio_register"; }
    /// <summary>ioctl(UFFDIO_UNREGISTER) over [Start, End): linux-7.2 mm/userfaultfd.c userfaultfd_unregister ->
    /// userfaultfd_clear_vma: uffd_wp_range(.., false) over each registered VMA's part (uffd-wp bits cleared,
    /// MMU_NOTIFY_PROTECTION_VMA), then VM_UFFD_WP cleared (split at the range's edges).</summary>
    public sealed record UffdUnregister(int Start, int End) : Call { public override string Name => "uffdio_unregister"; }
    /// <summary>NUMA balancing's scan of [Start, End) (kernel/sched/fair.c task_numa_work -> mm/mempolicy.c change_prot_numa ->
    /// change_protection(MM_CP_PROT_NUMA)): present PTEs become PROT_NONE hinting entries, the VMA keeps its protection;
    /// the next access takes a NUMA hinting fault (mm/memory.c do_numa_page) that restores the PTE.</summary>
    public sealed record NumaScan(int Start, int End) : Call { public override string Name => "change_prot_numa"; }
    /// <summary>ioctl(PAGEMAP_SCAN) with PM_SCAN_WP_MATCHING over [Start, End) (fs/proc/task_mmu.c do_pagemap_scan):
    /// the PTEs are write-protected (make_uffd_wp_pte: pte_mkuffd_wp), the VMA keeps its protection.</summary>
    public sealed record PagemapScanWp(int Start, int End) : Call { public override string Name => "pagemap_scan_wp"; }
    /// <summary>ioctl(UFFDIO_MOVE) of Len pages from Src to Dst (mm/userfaultfd.c move_pages): each source PTE is cleared
    /// and the same page mapped at Dst, which must be empty (move_pages_ptes); a whole PMD-mapped THP with both ends
    /// PMD-aligned moves as one (mm/huge_memory.c move_pages_huge_pmd).</summary>
    public sealed record UffdMove(int Src, int Dst, int Len = 1) : Call { public override string Name => "uffdio_move"; }
    /// <summary>madvise(MADV_COLLAPSE) over [Start, End) (mm/khugepaged.c madvise_collapse): each huge block inside is
    /// collapsed into a huge page; anonymous memory by collapse_huge_page, a shared (shmem) mapping by collapse_file and
    /// retract_page_tables.</summary>
    public sealed record MadviseCollapse(int Start, int End) : Call { public override string Name => "madvise_collapse"; }
    /// <summary>wp_shared_mapping_range over the shared mappings of [Start, End) (mm/mapping_dirty_helpers.c, the
    /// dirty tracking of drivers/gpu/drm/vmwgfx/vmwgfx_page_dirty.c): writable PTEs write-protected.</summary>
    public sealed record WpSharedMapping(int Start, int End) : Call { public override string Name => "wp_shared_mapping_range"; }
    /// <summary>Reclaim's page_referenced: clear_flush_young on the CPU PTE and every listener.</summary>
    public sealed record PageReferenced(int Page) : Call { public override string Name => "page_referenced"; }
    /// <summary>mmu_notifier_test_young (e.g. idle page tracking): tests without clearing.</summary>
    public sealed record TestYoung(int Page) : Call { public override string Name => "test_young"; }
    public sealed record Exit : Call { public override string Name => "exit_mmap"; }
    public sealed record OomReap : Call { public override string Name => "oom_reap"; }
    public sealed record DeviceRead(int Mirror, int Page) : Call { public override string Name => "device_read"; }
    public sealed record DeviceWrite(int Mirror, int Page, int Value) : Call { public override string Name => "device_write"; }
    public sealed record IntervalInsert(int Mirror) : Call { public override string Name => "mmu_interval_notifier_insert"; }
    public sealed record IntervalRemove(int Mirror) : Call { public override string Name => "mmu_interval_notifier_remove"; }
    /// <summary>HMM_DMIRROR_EXCLUSIVE: make_device_exclusive then dmirror_atomic_map (lib/test_hmm.c), run by the device's thread.</summary>
    public sealed record DeviceExclusive(int Mirror, int Page) : Call { public override string Name => "make_device_exclusive"; }

    /// <summary>HMM_DMIRROR_MIGRATE_TO_DEV over [Start, End): lib/test_hmm.c dmirror_migrate_to_device (migrate_vma_setup,
    /// dmirror_migrate_alloc_and_copy, migrate_vma_pages, dmirror_migrate_finalize_and_map, migrate_vma_finalize), run by the
    /// device's thread: the pages move to the mirror's device memory, their CPU PTEs become device-private entries.</summary>
    public sealed record MigrateToDevice(int Mirror, int Start, int End) : Call { public override string Name => "migrate_to_device"; }

    public bool IsDevice => this is DeviceRead or DeviceWrite or IntervalInsert or IntervalRemove or DeviceExclusive or MigrateToDevice;
    public int? MirrorIndex => this switch { DeviceRead d => d.Mirror, DeviceWrite d => d.Mirror, IntervalInsert d => d.Mirror, IntervalRemove d => d.Mirror, DeviceExclusive d => d.Mirror, MigrateToDevice d => d.Mirror, _ => null };
}

/// <summary>A call the model refuses: bad input (BadInput: an address out of range, an unknown mirror)
/// or a call the current state does not allow (a busy actor, a blocked step).</summary>
public sealed class ModelException(string message, bool badInput = false) : Exception(message)
{
    public bool BadInput { get; } = badInput;
}
