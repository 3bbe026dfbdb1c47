#!/usr/bin/env python3
"""Regenerates the kernel_sites of a linux-X.Y vocabulary in catalogue/vocabulary.json from a kernel tree.

    dotnet cli/bin/Release/net10.0/notifier.dll audit TREE --found --json > found.json
    catalogue/kernel_sites.py linux-7.2 found.json

The calls (file, function, api, event, owner) are what `notifier audit` reads in that release's source;
this script only adds the model site each one is, or the reason it is not modelled (MODELLED, REASONS below),
and replaces the vocabulary's "kernel_sites" line block in the catalogue.
"""
import json, sys, re

MODELLED = {
    ("mm/memory.c", "copy_page_range"): "copy_page_range",
    ("mm/hugetlb.c", "copy_hugetlb_page_range"): "copy_hugetlb_page_range",
    ("mm/huge_memory.c", "__split_huge_pmd"): "split_huge_page",
    ("mm/khugepaged.c", "collapse_huge_page"): "collapse_huge_page",
    ("mm/ksm.c", "write_protect_page"): "write_protect_page",
    ("mm/ksm.c", "replace_page"): "replace_page",
    ("mm/memory.c", "unmap_vmas"): "unmap_vmas",
    ("mm/memory.c", "zap_page_range_single"): "zap_page_range_single",
    ("mm/memory.c", "zap_vma_range_batched"): "zap_page_range_single",
    ("mm/memory.c", "wp_page_copy"): "wp_page_copy",
    ("mm/mremap.c", "move_page_tables"): "move_page_tables",
    ("mm/madvise.c", "madvise_free_single_vma"): "madvise_free_single_vma",
    ("mm/rmap.c", "page_vma_mkclean_one"): "page_mkclean_one",
    ("mm/rmap.c", "try_to_unmap_one"): "try_to_unmap_one",
    ("mm/rmap.c", "try_to_migrate_one"): "migrate_pages",
    ("fs/proc/task_mmu.c", "clear_refs_write"): "clear_refs_write",
    ("mm/mprotect.c", "change_pmd_range"): "change_protection",
    ("mm/mprotect.c", "change_pud_range"): "change_protection",
    ("mm/oom_kill.c", "__oom_reap_task_mm"): "oom_reap_task_mm",
    ("mm/memory.c", "zap_vma_for_reaping"): "oom_reap_task_mm",
    ("mm/mmu_notifier.c", "mn_itree_release"): "mmu_notifier_release",
    ("mm/rmap.c", "page_make_device_exclusive_one"): "make_device_exclusive",
    ("mm/rmap.c", "make_device_exclusive"): "make_device_exclusive",
    ("mm/memory.c", "remove_device_exclusive_entry"): "remove_device_exclusive_entry",
}

NMY = "not modelled yet (issue 12 item 4): "
REASONS = {
    "do_pagemap_scan": NMY + "PAGEMAP_SCAN ioctl with PM_SCAN_WP_MATCHING write-protects with MMU_NOTIFY_PROTECTION_VMA, the VMA unchanged (docs/protection-vma.md)",
    "uprobe_write": NMY + "uprobe install/removal replaces a page of a file-backed VMA",
    "__replace_page": NMY + "uprobe install/removal replaces a page of a file-backed VMA",
    "do_huge_zero_wp_pmd": NMY + "write fault on the huge zero page",
    "move_pages_huge_pmd": NMY + "UFFDIO_MOVE of a THP",
    "move_pages_ptes": NMY + "UFFDIO_MOVE",
    "move_pages_pte": NMY + "UFFDIO_MOVE",
    "__split_huge_pud": NMY + "PUD split (DAX / PFN PUD mappings)",
    "move_hugetlb_page_tables": NMY + "mremap of hugetlb (MMU_NOTIFY_CLEAR, not UNMAP)",
    "unmap_hugepage_range": NMY + "hugetlb munmap / truncate / punch hole",
    "__unmap_hugepage_range": NMY + "hugetlb munmap / truncate / punch hole",
    "hugetlb_wp": NMY + "hugetlb COW",
    "hugetlb_change_protection": NMY + "hugetlb mprotect, NUMA hinting and userfaultfd write-protect (MMU_NOTIFY_PROTECTION_VMA)",
    "hugetlb_unshare_pmds": NMY + "hugetlb PMD unshare",
    "collapse_pte_mapped_thp": NMY + "file/shmem THP collapse, MADV_COLLAPSE",
    "try_collapse_pte_mapped_thp": NMY + "file/shmem THP collapse, MADV_COLLAPSE",
    "collapse_and_free_pmd": NMY + "file/shmem THP collapse, MADV_COLLAPSE",
    "retract_page_tables": NMY + "file/shmem THP collapse, MADV_COLLAPSE",
    "wp_clean_pre_vma": NMY + "mapping_dirty_helpers write-protect (wp_shared_mapping_range, clean_record_shared_mapping_range)",
    "wp_clean_post_vma": NMY + "mapping_dirty_helpers: the end of wp_clean_pre_vma's range",
    "migrate_vma_collect": NMY + "device-private migration (migrate_vma_setup), MMU_NOTIFY_MIGRATE with the pgmap owner",
    "__migrate_device_pages": NMY + "device-private migration (migrate_vma_pages), MMU_NOTIFY_MIGRATE with the pgmap owner",
    "zap_page_range": NMY + "zap_page_range of 6.1 (TCP zerocopy receive, vDSO data pages, s390 gmap; MADV_DONTNEED uses zap_page_range_single)",
    "try_to_unmap_poisoned_hugetlb_one": NMY + "memory failure on a hugetlb folio",
}
AGING = "modelled abstractly: page aging (page_referenced -> clear_flush_young, test_young) changes no mapping; callers are not rows"
AGING_NOT = "not modelled: page aging outside page_referenced (young bits only, no mapping change)"
TLB = "modelled abstractly: the tlb_flush step calls arch_invalidate_secondary_tlbs for hardware secondary TLBs; per-arch flush functions are not rows"

def annotate(c):
    row = {"file": c["file"], "function": c["function"], "api": c["api"]}
    if c.get("event"): row["event"] = c["event"]
    if c.get("owner"): row["owner"] = c["owner"]
    key = (c["file"], c["function"])
    if key in MODELLED:
        row["model_site"] = MODELLED[key]
    elif c["api"] in ("clear_flush_young", "clear_young", "test_young"):
        row["status"] = AGING if c["function"] == "folio_referenced_one" else AGING_NOT
    elif c["api"] == "arch_invalidate_secondary_tlbs":
        row["status"] = TLB
    else:
        row["status"] = REASONS.get(c["function"], NMY + "a caller this catalogue has no description for yet")
    return row

def main():
    voc, found = sys.argv[1], json.load(open(sys.argv[2]))
    rows, seen = [], set()
    for c in found:
        r = annotate(c)
        k = json.dumps(r, sort_keys=True)
        if k not in seen:
            seen.add(k); rows.append(r)
    text = ",\n".join("        " + json.dumps(r) for r in rows)
    path = "catalogue/vocabulary.json"
    s = open(path).read()
    pat = re.compile(r'(\{\s*"name": "%s",.*?"kernel_sites": \[).*?(\n      \])' % re.escape(voc), re.S)
    if not pat.search(s): sys.exit(f"{path}: no kernel_sites block for {voc}")
    s = pat.sub(lambda m: m.group(1) + "\n" + text + m.group(2), s, count=1)
    open(path, "w").write(s)
    print(f"{voc}: {len(rows)} kernel sites")

if __name__ == "__main__":
    main()
