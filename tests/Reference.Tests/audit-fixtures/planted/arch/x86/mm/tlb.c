void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,
				unsigned long end, unsigned int stride_shift,
				bool freed_tables)
{
	mmu_notifier_arch_invalidate_secondary_tlbs(mm, start, end);
}

static bool folio_referenced_one(struct folio *folio, struct vm_area_struct *vma, unsigned long address, void *arg)
{
	return ptep_clear_flush_young_notify(vma, address, NULL) || mmu_notifier_test_young(vma->vm_mm, address);
}
