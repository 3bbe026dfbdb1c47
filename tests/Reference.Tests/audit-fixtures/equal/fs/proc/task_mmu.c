SYSCALL_DEFINE3(clear_refs_fixture, unsigned long, start, size_t, len, int, flags)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_SOFT_DIRTY, 0, current->mm, 0, -1UL);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	return 0;
}

static void mn_itree_release(struct mmu_notifier_subscriptions *subscriptions, struct mm_struct *mm)
{
	struct mmu_notifier_range range = {
		.flags = MMU_NOTIFIER_RANGE_BLOCKABLE,
		.event = MMU_NOTIFY_RELEASE,
		.mm = mm,
		.start = 0,
		.end = ULONG_MAX,
	};
	(void)range;
}
