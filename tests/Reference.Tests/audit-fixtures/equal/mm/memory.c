// SPDX-License-Identifier: GPL-2.0
/*
 * audit fixture: a small C file shaped like mm/memory.c.
 * A call in a comment is not a call: mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm, 0, 1);
 */
#include <linux/mmu_notifier.h>
#define ZAP(r) mmu_notifier_invalidate_range_start(r)	/* macros are not scanned */

static const char *msg = "mmu_notifier_range_init(&range, MMU_NOTIFY_MIGRATE, 0, mm, 0, 1)";

static const struct mmu_notifier_ops ops = {
	.invalidate_range_start = NULL,
	.arch_invalidate_secondary_tlbs = NULL,
};

int zap_vma_for_reaping(struct vm_area_struct *vma)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm,
				vma->vm_start, vma->vm_end);
	if (mmu_notifier_invalidate_range_start_nonblock(&range)) {
		return -EBUSY;
	}
	if (vma->vm_flags & '{')
		printk("}");
	mmu_notifier_invalidate_range_end(&range);
	return 0;
}

static vm_fault_t remove_device_exclusive_entry(struct vm_fault *vmf)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_CLEAR, 0,
				vmf->vma->vm_mm, vmf->address & PAGE_MASK,
				(vmf->address & PAGE_MASK) + PAGE_SIZE, NULL);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	return 0;
}

void __attribute__((cold)) unmap_vmas(struct mmu_gather *tlb, struct unmap_desc *unmap)
{
	struct mmu_notifier_range range;
	struct zap_details details = {
		.zap_flags = ZAP_FLAG_DROP_MARKER,
	};

	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, unmap->vma->vm_mm,
				unmap->vma_start, unmap->vma_end);
	mmu_notifier_invalidate_range_start(&range);
	do {
		tlb->mm->ops->arch_invalidate_secondary_tlbs(tlb->mm, 0, 1);	/* the chain itself: not a row */
	} while (0);
	mmu_notifier_invalidate_range_end(&range);
}
