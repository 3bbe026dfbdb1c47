/* fixture: the API header is not scanned (its own definitions would look like calls) */
static inline void mmu_notifier_range_init_owner(struct mmu_notifier_range *range, int event,
		unsigned flags, struct mm_struct *mm, unsigned long start, unsigned long end, void *owner)
{
	mmu_notifier_range_init(range, event, flags, mm, start, end);
}
