using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

public class VocabularyTests
{
    [Fact]
    public void Every_vocabulary_has_one_row_per_call_site()
    {
        foreach (var v in Enum.GetValues<Vocabulary>())
            Assert.Equal(Enum.GetValues<CallSite>().Order(), EventTables.Table(v).Select(r => r.Site).Order());
    }

    [Fact]
    public void V7_table_is_faithful_to_the_seed_inconsistencies_included()
    {
        Assert.Equal(MmuEvent.MMU_FORK, EventTables.EventOf(Vocabulary.V7, CallSite.copy_page_range));
        Assert.Equal(MmuEvent.MMU_MIGRATE, EventTables.EventOf(Vocabulary.V7, CallSite.copy_hugetlb_page_range));
        Assert.Equal(MmuEvent.MMU_MUNMAP, EventTables.EventOf(Vocabulary.V7, CallSite.zap_page_range_single));
        Assert.Equal(MmuEvent.MMU_MIGRATE, EventTables.EventOf(Vocabulary.V7, CallSite.zap_page_range));
        Assert.Equal(MmuEvent.MMU_ISDIRTY, EventTables.EventOf(Vocabulary.V7, CallSite.clear_refs_write));
        Assert.Equal(MmuEvent.MMU_WRITE_PROTECT, EventTables.EventOf(Vocabulary.V7, CallSite.write_protect_page));
        Assert.Null(EventTables.EventOf(Vocabulary.V7, CallSite.munlock_vma_pages_range));
        Assert.Equal(Mechanism.InvalidatePage, EventTables.Row(Vocabulary.V7, CallSite.page_mkclean_one).Mechanism);
        Assert.Equal(Mechanism.InvalidatePage, EventTables.Row(Vocabulary.V7, CallSite.try_to_unmap_one).Mechanism);
        Assert.DoesNotContain(EventTables.Table(Vocabulary.V7), r => r.Event == MmuEvent.MMU_MUNLOCK);
        Assert.Equal(4, EventTables.Table(Vocabulary.V7).Count(r => r.Finding is not null && r.Site is CallSite.copy_hugetlb_page_range or CallSite.zap_page_range_single or CallSite.munlock_vma_pages_range or CallSite.change_protection));
    }

    [Fact]
    public void V7_reviewed_renames_and_sends_precise_protection_events()
    {
        Assert.Equal(MmuEvent.MMU_HUGE_PAGE_SPLIT, EventTables.EventOf(Vocabulary.V7Reviewed, CallSite.split_huge_page));
        Assert.Equal(MmuEvent.MMU_CLEAR_SOFT_DIRTY, EventTables.EventOf(Vocabulary.V7Reviewed, CallSite.clear_refs_write));
        Assert.Equal(MmuEvent.MMU_KSM_WRITE_PROTECT, EventTables.EventOf(Vocabulary.V7Reviewed, CallSite.write_protect_page));
        Assert.Equal(MmuEvent.MMU_UNMAP, EventTables.EventOf(Vocabulary.V7Reviewed, CallSite.change_protection, Prot.None));
        Assert.Equal(MmuEvent.MMU_WRITE_PROTECT, EventTables.EventOf(Vocabulary.V7Reviewed, CallSite.change_protection, Prot.Read));
        Assert.Equal(MmuEvent.MMU_READ_WRITE, EventTables.EventOf(Vocabulary.V7Reviewed, CallSite.change_protection, Prot.ReadWrite));
        Assert.Equal(MmuEvent.MMU_MIGRATE, EventTables.EventOf(Vocabulary.V7Reviewed, CallSite.copy_hugetlb_page_range)); // not fixed by the review
    }

    [Fact]
    public void Upstream_table_matches_mainline_call_sites()
    {
        var expected = new Dictionary<CallSite, MmuEvent?>
        {
            [CallSite.copy_page_range] = MmuEvent.MMU_NOTIFY_PROTECTION_PAGE, [CallSite.copy_hugetlb_page_range] = MmuEvent.MMU_NOTIFY_CLEAR,
            [CallSite.split_huge_page] = MmuEvent.MMU_NOTIFY_CLEAR, [CallSite.do_huge_pmd_wp_page] = MmuEvent.MMU_NOTIFY_CLEAR,
            [CallSite.collapse_huge_page] = MmuEvent.MMU_NOTIFY_CLEAR, [CallSite.write_protect_page] = MmuEvent.MMU_NOTIFY_CLEAR,
            [CallSite.replace_page] = MmuEvent.MMU_NOTIFY_CLEAR, [CallSite.unmap_vmas] = MmuEvent.MMU_NOTIFY_UNMAP,
            [CallSite.zap_page_range] = MmuEvent.MMU_NOTIFY_CLEAR, [CallSite.zap_page_range_single] = MmuEvent.MMU_NOTIFY_CLEAR,
            [CallSite.wp_page_copy] = MmuEvent.MMU_NOTIFY_CLEAR, [CallSite.move_page_tables] = MmuEvent.MMU_NOTIFY_UNMAP,
            [CallSite.madvise_free_single_vma] = MmuEvent.MMU_NOTIFY_CLEAR, [CallSite.page_mkclean_one] = MmuEvent.MMU_NOTIFY_PROTECTION_PAGE,
            [CallSite.try_to_unmap_one] = MmuEvent.MMU_NOTIFY_CLEAR, [CallSite.clear_refs_write] = MmuEvent.MMU_NOTIFY_SOFT_DIRTY,
            [CallSite.change_protection] = MmuEvent.MMU_NOTIFY_PROTECTION_VMA, [CallSite.oom_reap_task_mm] = MmuEvent.MMU_NOTIFY_CLEAR,
            [CallSite.munlock_vma_pages_range] = null, [CallSite.mmu_notifier_release] = MmuEvent.MMU_NOTIFY_RELEASE,
        };
        foreach (var (site, ev) in expected) Assert.Equal(ev, EventTables.EventOf(Vocabulary.Upstream, site));
        Assert.Equal(MmuEvent.MMU_NOTIFY_CLEAR, EventTables.EventOf(Vocabulary.Upstream, CallSite.remove_device_exclusive_entry));
        Assert.Equal(MmuEvent.MMU_NOTIFY_EXCLUSIVE, EventTables.EventOf(Vocabulary.Upstream, CallSite.make_device_exclusive));
        Assert.All(EventTables.Table(Vocabulary.Upstream), r => Assert.Matches(@"(mm|fs|kernel)/[\w/]+\.c", r.Source));
        // the releases before the two fixes (linux-6.12: both; linux-6.18: only remove_device_exclusive_entry, 6.15)
        Assert.Equal(MmuEvent.MMU_NOTIFY_UNMAP, EventTables.EventOf(Vocabulary.Linux6_12, CallSite.oom_reap_task_mm));
        Assert.Equal(MmuEvent.MMU_NOTIFY_EXCLUSIVE, EventTables.EventOf(Vocabulary.Linux6_12, CallSite.remove_device_exclusive_entry));
        Assert.Equal(MmuEvent.MMU_NOTIFY_UNMAP, EventTables.EventOf(Vocabulary.Linux6_18, CallSite.oom_reap_task_mm));
        Assert.Equal(MmuEvent.MMU_NOTIFY_CLEAR, EventTables.EventOf(Vocabulary.Linux6_18, CallSite.remove_device_exclusive_entry));
    }
}
