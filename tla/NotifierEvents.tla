--------------------------- MODULE NotifierEvents ---------------------------
(***************************************************************************)
(* The call sites of "mmu_notifier: add event information to address       *)
(* invalidation v7" (../shared/seed/, kernel-facts.md SEED-CALLSITES) and   *)
(* their upstream successors (section 3.4), for the three vocabularies of  *)
(* docs/rules.md: "v7", "v7-reviewed", "upstream".                          *)
(*                                                                         *)
(* This module is pure: tables (site -> event, site -> mechanism, event ->  *)
(* what its documentation allows) and the PTE effect of every call site.   *)
(* NotifierSpec.tla runs the effects step by step (start, callbacks, PTE   *)
(* update under the PTL, frame release, end).                              *)
(*                                                                         *)
(* PTE values (CPU and device): [f |-> frame (0 = none), acc |-> access,   *)
(* sd |-> soft-dirty].  acc: 0 = no access (PROT_NONE), 1 = read,          *)
(* 2 = read-write.  VMA protection uses the same 0..2 scale.               *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

Min(a, b) == IF a < b THEN a ELSE b
Max(a, b) == IF a < b THEN b ELSE a

\* v7 and v7-reviewed have no release event: exit_mmap calls ->release
\* (include/linux/mmu_notifier.h of 2015, mn_hlist_release).  We label that
\* callback with the pseudo-event "release" so that one policy table serves.
ReleasePseudoEvent == "release"

\* BEGIN GENERATED from catalogue/vocabulary.json by `notifier events --tla`: do not edit by hand
Vocabularies == {"v7", "v7-reviewed", "linux-6.1", "linux-6.12", "linux-6.18", "linux-7.2",
                 "linux-7.3", "upstream"}

\* v7: enum mmu_event of the seed patch (kernel-facts.md SEED-ENUM, reconstructed from V6/V8)
V7Events == {"MMU_FORK", "MMU_HSPLIT", "MMU_ISDIRTY", "MMU_MIGRATE", "MMU_MPROT",
             "MMU_MUNLOCK", "MMU_MUNMAP", "MMU_WRITE_BACK", "MMU_WRITE_PROTECT"}
\* v7-reviewed: the renames agreed in the review (v8 changelog) plus Hubbard's precise mprotect events
V7ReviewedEvents == {"MMU_FORK", "MMU_HUGE_PAGE_SPLIT", "MMU_CLEAR_SOFT_DIRTY",
                     "MMU_MIGRATE", "MMU_MUNLOCK", "MMU_MUNMAP", "MMU_WRITE_BACK",
                     "MMU_KSM_WRITE_PROTECT", "MMU_UNMAP", "MMU_WRITE_PROTECT",
                     "MMU_READ_WRITE"}
\* upstream: enum mmu_notifier_event (include/linux/mmu_notifier.h)
UpstreamEvents == {"MMU_NOTIFY_UNMAP", "MMU_NOTIFY_CLEAR", "MMU_NOTIFY_PROTECTION_VMA",
                   "MMU_NOTIFY_PROTECTION_PAGE", "MMU_NOTIFY_SOFT_DIRTY",
                   "MMU_NOTIFY_RELEASE", "MMU_NOTIFY_MIGRATE", "MMU_NOTIFY_EXCLUSIVE"}

\* The vocabularies whose events are enum mmu_notifier_event (device-exclusive entries exist there).
UpstreamFamily == {"linux-6.1", "linux-6.12", "linux-6.18", "linux-7.2", "linux-7.3",
                   "upstream"}

EventsOf(voc) ==
    CASE voc = "v7" -> V7Events \cup {ReleasePseudoEvent}
      [] voc = "v7-reviewed" -> V7ReviewedEvents \cup {ReleasePseudoEvent}
      [] voc \in {"linux-6.1", "linux-6.12", "linux-6.18", "linux-7.2", "linux-7.3", "upstream"} -> UpstreamEvents

\* The call sites tla/ runs (kernel function names) and the user operations that reach them.
Sites == {"copy_page_range",                   \* fork
          "copy_hugetlb_page_range",           \* fork (hugetlb)
          "split_huge_page",                   \* THP split (partial munmap/mprotect of a THP)
          "write_protect_page",                \* KSM merge
          "replace_page",                      \* KSM merge
          "unmap_vmas",                        \* munmap, exit, mmap(MAP_FIXED) over a mapping
          "zap_page_range",                    \* madvise(MADV_DONTNEED)
          "zap_page_range_single",             \* truncate
          "wp_page_copy",                      \* write fault (COW), mremap of a KSM page (break_ksm)
          "move_page_tables",                  \* mremap
          "madvise_free_single_vma",           \* madvise(MADV_FREE)
          "page_mkclean_one",                  \* writeback
          "try_to_unmap_one",                  \* reclaim, migration
          "migrate_pages",                     \* NUMA migration
          "clear_refs_write",                  \* echo 4 > /proc/PID/clear_refs
          "change_protection",                 \* mprotect
          "oom_reap_task_mm",                  \* OOM kill
          "exit_mmap",                         \* exit
          "uffd_wp_range",                     \* ioctl(UFFDIO_WRITEPROTECT, mode WP or 0) on a range registered with UFFDIO_REGISTER_MODE_WP (uffdio_writeprotect; uffdio_register sets VM_UFFD_WP), ioctl(UFFDIO_UNREGISTER) or close of the userfaultfd, on a UFFDIO_REGISTER_MODE_WP range (uffd-wp bits cleared; uffdio_unregister)
          "make_device_exclusive",             \* HMM_DMIRROR_EXCLUSIVE
          "remove_device_exclusive_entry",     \* CPU fault on a device-exclusive entry
          "change_prot_numa",                  \* NUMA balancing scan (kernel/sched/fair.c task_numa_work)
          "do_pagemap_scan",                   \* ioctl(PAGEMAP_SCAN) with PM_SCAN_WP_MATCHING on a range registered for asynchronous userfaultfd write-protect
          "move_pages_ptes",                   \* ioctl(UFFDIO_MOVE) of an anonymous page
          "move_pages_huge_pmd",               \* ioctl(UFFDIO_MOVE) of a whole PMD-mapped anonymous THP, source and destination PMD-aligned, the destination PMD empty
          "wp_clean_pre_vma",                  \* wp_shared_mapping_range (vmwgfx buffer-object dirty tracking)
          "move_hugetlb_page_tables",          \* mremap of a hugetlb VMA
          "mmap_region",                       \* mmap(MAP_FIXED) over a mapping
          "hugetlb_change_protection",         \* mprotect of hugetlb VMAs
          "unmap_hugepage_range",              \* truncate or hole punch of a hugetlbfs file
          "hugetlb_wp",                        \* write fault on a shared hugetlb page of a private mapping (COW)
          "do_huge_zero_wp_pmd",               \* write fault on the huge zero page (a read fault in an empty huge block of a THP VMA mapped it: do_huge_pmd_anonymous_page with transparent_hugepage/use_zero_page)
          "migrate_vma_collect",               \* HMM_DMIRROR_MIGRATE_TO_DEV (lib/test_hmm.c dmirror_migrate_to_device), CPU or other device fault on a device-private entry (mm/memory.c do_swap_page -> migrate_to_ram: lib/test_hmm.c dmirror_devmem_fault)
          "split_folio"}                       \* madvise(MADV_FREE) over part of a PMD-mapped anonymous THP, over part of a PTE-mapped one or across its VMAs (a bracket per VMA), linux-6.1: over a PTE-mapped one met whole too (madvise_free_pte_range splits every large folio it meets)

(***************************************************************************)
(* Notification mechanism and event per vocabulary and call site.         *)
(*  "range"    : invalidate_range_start ... invalidate_range_end           *)
(*  "page"     : v7's mmu_notifier_invalidate_page, called after           *)
(*               pte_unmap_unlock, i.e. AFTER the PTE change (rmap.c; bug  *)
(*               B1, removed in 4.13 by ea25c4317946)                       *)
(*  "nonblock" : mmu_notifier_invalidate_range_start_nonblock (OOM reaper)  *)
(*  "release"  : exit_mmap -> mmu_notifier_release (R12), then unmap       *)
(*  "none"     : no notification (the event is "none" too)                *)
(* prot is the new VMA protection for mprotect (0 none, 1 read, 2 rw).     *)
(***************************************************************************)
MechOf(voc, site) ==
    CASE voc = "v7" -> (CASE site = "page_mkclean_one" -> "page"
                       [] site = "try_to_unmap_one" -> "page"
                       [] site = "oom_reap_task_mm" -> "nonblock"
                       [] site = "exit_mmap" -> "release"
                       [] site = "uffd_wp_range" -> "none"
                       [] site = "make_device_exclusive" -> "none"
                       [] site = "remove_device_exclusive_entry" -> "none"
                       [] site = "change_prot_numa" -> "none"
                       [] site = "do_pagemap_scan" -> "none"
                       [] site = "move_pages_ptes" -> "none"
                       [] site = "move_pages_huge_pmd" -> "none"
                       [] site = "wp_clean_pre_vma" -> "none"
                       [] site = "move_hugetlb_page_tables" -> "none"
                       [] site = "mmap_region" -> "none"
                       [] site = "hugetlb_change_protection" -> "none"
                       [] site = "unmap_hugepage_range" -> "none"
                       [] site = "hugetlb_wp" -> "none"
                       [] site = "do_huge_zero_wp_pmd" -> "none"
                       [] site = "migrate_vma_collect" -> "none"
                       [] site = "split_folio" -> "none"
                       [] OTHER -> "range")
      [] voc = "v7-reviewed" -> (CASE site = "page_mkclean_one" -> "page"
                                [] site = "try_to_unmap_one" -> "page"
                                [] site = "oom_reap_task_mm" -> "nonblock"
                                [] site = "exit_mmap" -> "release"
                                [] site = "uffd_wp_range" -> "none"
                                [] site = "make_device_exclusive" -> "none"
                                [] site = "remove_device_exclusive_entry" -> "none"
                                [] site = "change_prot_numa" -> "none"
                                [] site = "do_pagemap_scan" -> "none"
                                [] site = "move_pages_ptes" -> "none"
                                [] site = "move_pages_huge_pmd" -> "none"
                                [] site = "wp_clean_pre_vma" -> "none"
                                [] site = "move_hugetlb_page_tables" -> "none"
                                [] site = "mmap_region" -> "none"
                                [] site = "hugetlb_change_protection" -> "none"
                                [] site = "unmap_hugepage_range" -> "none"
                                [] site = "hugetlb_wp" -> "none"
                                [] site = "do_huge_zero_wp_pmd" -> "none"
                                [] site = "migrate_vma_collect" -> "none"
                                [] site = "split_folio" -> "none"
                                [] OTHER -> "range")
      [] voc = "linux-6.1" -> (CASE site = "oom_reap_task_mm" -> "nonblock"
                              [] site = "exit_mmap" -> "release"
                              [] site = "do_pagemap_scan" -> "none"
                              [] site = "move_pages_ptes" -> "none"
                              [] site = "move_pages_huge_pmd" -> "none"
                              [] site = "mmap_region" -> "none"
                              [] site = "do_huge_zero_wp_pmd" -> "none"
                              [] OTHER -> "range")
      [] voc = "linux-6.12" -> (CASE site = "oom_reap_task_mm" -> "nonblock"
                               [] site = "exit_mmap" -> "release"
                               [] site = "do_huge_zero_wp_pmd" -> "none"
                               [] OTHER -> "range")
      [] voc = "linux-6.18" -> (CASE site = "oom_reap_task_mm" -> "nonblock"
                               [] site = "exit_mmap" -> "release"
                               [] OTHER -> "range")
      [] voc = "linux-7.2" -> (CASE site = "oom_reap_task_mm" -> "nonblock"
                              [] site = "exit_mmap" -> "release"
                              [] OTHER -> "range")
      [] voc = "linux-7.3" -> (CASE site = "oom_reap_task_mm" -> "nonblock"
                              [] site = "exit_mmap" -> "release"
                              [] OTHER -> "range")
      [] voc = "upstream" -> (CASE site = "oom_reap_task_mm" -> "nonblock"
                             [] site = "exit_mmap" -> "release"
                             [] OTHER -> "range")

\* v7
V7Event(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_FORK"
      [] site = "copy_hugetlb_page_range"       -> "MMU_MIGRATE"
      [] site = "split_huge_page"               -> "MMU_HSPLIT"
      [] site = "write_protect_page"            -> "MMU_WRITE_PROTECT"
      [] site = "replace_page"                  -> "MMU_MIGRATE"
      [] site = "unmap_vmas"                    -> "MMU_MUNMAP"
      [] site = "zap_page_range"                -> "MMU_MIGRATE"
      [] site = "zap_page_range_single"         -> "MMU_MUNMAP"
      [] site = "wp_page_copy"                  -> "MMU_MIGRATE"
      [] site = "move_page_tables"              -> "MMU_MIGRATE"
      [] site = "madvise_free_single_vma"       -> "MMU_MUNMAP"
      [] site = "page_mkclean_one"              -> "MMU_WRITE_BACK"
      [] site = "try_to_unmap_one"              -> "MMU_MIGRATE"
      [] site = "migrate_pages"                 -> "MMU_MIGRATE"
      [] site = "clear_refs_write"              -> "MMU_ISDIRTY"
      [] site = "change_protection"             -> "MMU_MPROT"
      [] site = "oom_reap_task_mm"              -> "MMU_MUNMAP"
      [] site = "exit_mmap"                     -> "release"
      [] site = "uffd_wp_range"                 -> "none"
      [] site = "make_device_exclusive"         -> "none"
      [] site = "remove_device_exclusive_entry" -> "none"
      [] site = "change_prot_numa"              -> "none"
      [] site = "do_pagemap_scan"               -> "none"
      [] site = "move_pages_ptes"               -> "none"
      [] site = "move_pages_huge_pmd"           -> "none"
      [] site = "wp_clean_pre_vma"              -> "none"
      [] site = "move_hugetlb_page_tables"      -> "none"
      [] site = "mmap_region"                   -> "none"
      [] site = "hugetlb_change_protection"     -> "none"
      [] site = "unmap_hugepage_range"          -> "none"
      [] site = "hugetlb_wp"                    -> "none"
      [] site = "do_huge_zero_wp_pmd"           -> "none"
      [] site = "migrate_vma_collect"           -> "none"
      [] site = "split_folio"                   -> "none"

\* v7-reviewed
V7ReviewedEvent(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_FORK"
      [] site = "copy_hugetlb_page_range"       -> "MMU_MIGRATE"
      [] site = "split_huge_page"               -> "MMU_HUGE_PAGE_SPLIT"
      [] site = "write_protect_page"            -> "MMU_KSM_WRITE_PROTECT"
      [] site = "replace_page"                  -> "MMU_MIGRATE"
      [] site = "unmap_vmas"                    -> "MMU_MUNMAP"
      [] site = "zap_page_range"                -> "MMU_MIGRATE"
      [] site = "zap_page_range_single"         -> "MMU_MUNMAP"
      [] site = "wp_page_copy"                  -> "MMU_MIGRATE"
      [] site = "move_page_tables"              -> "MMU_MIGRATE"
      [] site = "madvise_free_single_vma"       -> "MMU_MUNMAP"
      [] site = "page_mkclean_one"              -> "MMU_WRITE_BACK"
      [] site = "try_to_unmap_one"              -> "MMU_MIGRATE"
      [] site = "migrate_pages"                 -> "MMU_MIGRATE"
      [] site = "clear_refs_write"              -> "MMU_CLEAR_SOFT_DIRTY"
      [] site = "change_protection"             -> (CASE prot = 0 -> "MMU_UNMAP" [] prot = 1 -> "MMU_WRITE_PROTECT" [] prot = 2 -> "MMU_READ_WRITE")
      [] site = "oom_reap_task_mm"              -> "MMU_MUNMAP"
      [] site = "exit_mmap"                     -> "release"
      [] site = "uffd_wp_range"                 -> "none"
      [] site = "make_device_exclusive"         -> "none"
      [] site = "remove_device_exclusive_entry" -> "none"
      [] site = "change_prot_numa"              -> "none"
      [] site = "do_pagemap_scan"               -> "none"
      [] site = "move_pages_ptes"               -> "none"
      [] site = "move_pages_huge_pmd"           -> "none"
      [] site = "wp_clean_pre_vma"              -> "none"
      [] site = "move_hugetlb_page_tables"      -> "none"
      [] site = "mmap_region"                   -> "none"
      [] site = "hugetlb_change_protection"     -> "none"
      [] site = "unmap_hugepage_range"          -> "none"
      [] site = "hugetlb_wp"                    -> "none"
      [] site = "do_huge_zero_wp_pmd"           -> "none"
      [] site = "migrate_vma_collect"           -> "none"
      [] site = "split_folio"                   -> "none"

\* linux-6.1 (6.1.176 (Debian linux-source-6.1))
Linux6x1Event(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "copy_hugetlb_page_range"       -> "MMU_NOTIFY_CLEAR"
      [] site = "split_huge_page"               -> "MMU_NOTIFY_CLEAR"
      [] site = "write_protect_page"            -> "MMU_NOTIFY_CLEAR"
      [] site = "replace_page"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "unmap_vmas"                    -> "MMU_NOTIFY_UNMAP"
      [] site = "zap_page_range"                -> "MMU_NOTIFY_CLEAR"
      [] site = "zap_page_range_single"         -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_page_copy"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "move_page_tables"              -> "MMU_NOTIFY_UNMAP"
      [] site = "madvise_free_single_vma"       -> "MMU_NOTIFY_CLEAR"
      [] site = "page_mkclean_one"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "try_to_unmap_one"              -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_pages"                 -> "MMU_NOTIFY_CLEAR"
      [] site = "clear_refs_write"              -> "MMU_NOTIFY_SOFT_DIRTY"
      [] site = "change_protection"             -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "oom_reap_task_mm"              -> "MMU_NOTIFY_UNMAP"
      [] site = "exit_mmap"                     -> "MMU_NOTIFY_RELEASE"
      [] site = "uffd_wp_range"                 -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "make_device_exclusive"         -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "remove_device_exclusive_entry" -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "change_prot_numa"              -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "do_pagemap_scan"               -> "none"
      [] site = "move_pages_ptes"               -> "none"
      [] site = "move_pages_huge_pmd"           -> "none"
      [] site = "wp_clean_pre_vma"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "move_hugetlb_page_tables"      -> "MMU_NOTIFY_CLEAR"
      [] site = "mmap_region"                   -> "none"
      [] site = "hugetlb_change_protection"     -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "unmap_hugepage_range"          -> "MMU_NOTIFY_UNMAP"
      [] site = "hugetlb_wp"                    -> "MMU_NOTIFY_CLEAR"
      [] site = "do_huge_zero_wp_pmd"           -> "none"
      [] site = "migrate_vma_collect"           -> "MMU_NOTIFY_MIGRATE"
      [] site = "split_folio"                   -> "MMU_NOTIFY_CLEAR"

\* linux-6.12 (6.12.117 (Debian linux-source-6.12))
Linux6x12Event(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "copy_hugetlb_page_range"       -> "MMU_NOTIFY_CLEAR"
      [] site = "split_huge_page"               -> "MMU_NOTIFY_CLEAR"
      [] site = "write_protect_page"            -> "MMU_NOTIFY_CLEAR"
      [] site = "replace_page"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "unmap_vmas"                    -> "MMU_NOTIFY_UNMAP"
      [] site = "zap_page_range"                -> "MMU_NOTIFY_CLEAR"
      [] site = "zap_page_range_single"         -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_page_copy"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "move_page_tables"              -> "MMU_NOTIFY_UNMAP"
      [] site = "madvise_free_single_vma"       -> "MMU_NOTIFY_CLEAR"
      [] site = "page_mkclean_one"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "try_to_unmap_one"              -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_pages"                 -> "MMU_NOTIFY_CLEAR"
      [] site = "clear_refs_write"              -> "MMU_NOTIFY_SOFT_DIRTY"
      [] site = "change_protection"             -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "oom_reap_task_mm"              -> "MMU_NOTIFY_UNMAP"
      [] site = "exit_mmap"                     -> "MMU_NOTIFY_RELEASE"
      [] site = "uffd_wp_range"                 -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "make_device_exclusive"         -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "remove_device_exclusive_entry" -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "change_prot_numa"              -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "do_pagemap_scan"               -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "move_pages_ptes"               -> "MMU_NOTIFY_CLEAR"
      [] site = "move_pages_huge_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_clean_pre_vma"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "move_hugetlb_page_tables"      -> "MMU_NOTIFY_CLEAR"
      [] site = "mmap_region"                   -> "MMU_NOTIFY_UNMAP"
      [] site = "hugetlb_change_protection"     -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "unmap_hugepage_range"          -> "MMU_NOTIFY_CLEAR"
      [] site = "hugetlb_wp"                    -> "MMU_NOTIFY_CLEAR"
      [] site = "do_huge_zero_wp_pmd"           -> "none"
      [] site = "migrate_vma_collect"           -> "MMU_NOTIFY_MIGRATE"
      [] site = "split_folio"                   -> "MMU_NOTIFY_CLEAR"

\* linux-6.18 (6.18 (derived from linux-6.12 and linux-7.2: no 6.18 source tree here))
Linux6x18Event(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "copy_hugetlb_page_range"       -> "MMU_NOTIFY_CLEAR"
      [] site = "split_huge_page"               -> "MMU_NOTIFY_CLEAR"
      [] site = "write_protect_page"            -> "MMU_NOTIFY_CLEAR"
      [] site = "replace_page"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "unmap_vmas"                    -> "MMU_NOTIFY_UNMAP"
      [] site = "zap_page_range"                -> "MMU_NOTIFY_CLEAR"
      [] site = "zap_page_range_single"         -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_page_copy"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "move_page_tables"              -> "MMU_NOTIFY_UNMAP"
      [] site = "madvise_free_single_vma"       -> "MMU_NOTIFY_CLEAR"
      [] site = "page_mkclean_one"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "try_to_unmap_one"              -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_pages"                 -> "MMU_NOTIFY_CLEAR"
      [] site = "clear_refs_write"              -> "MMU_NOTIFY_SOFT_DIRTY"
      [] site = "change_protection"             -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "oom_reap_task_mm"              -> "MMU_NOTIFY_UNMAP"
      [] site = "exit_mmap"                     -> "MMU_NOTIFY_RELEASE"
      [] site = "uffd_wp_range"                 -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "make_device_exclusive"         -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "remove_device_exclusive_entry" -> "MMU_NOTIFY_CLEAR"
      [] site = "change_prot_numa"              -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "do_pagemap_scan"               -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "move_pages_ptes"               -> "MMU_NOTIFY_CLEAR"
      [] site = "move_pages_huge_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_clean_pre_vma"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "move_hugetlb_page_tables"      -> "MMU_NOTIFY_CLEAR"
      [] site = "mmap_region"                   -> "MMU_NOTIFY_UNMAP"
      [] site = "hugetlb_change_protection"     -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "unmap_hugepage_range"          -> "MMU_NOTIFY_CLEAR"
      [] site = "hugetlb_wp"                    -> "MMU_NOTIFY_CLEAR"
      [] site = "do_huge_zero_wp_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_vma_collect"           -> "MMU_NOTIFY_MIGRATE"
      [] site = "split_folio"                   -> "MMU_NOTIFY_CLEAR"

\* linux-7.2 (7.2.13 (Debian linux-source-7.2))
Linux7x2Event(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "copy_hugetlb_page_range"       -> "MMU_NOTIFY_CLEAR"
      [] site = "split_huge_page"               -> "MMU_NOTIFY_CLEAR"
      [] site = "write_protect_page"            -> "MMU_NOTIFY_CLEAR"
      [] site = "replace_page"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "unmap_vmas"                    -> "MMU_NOTIFY_UNMAP"
      [] site = "zap_page_range"                -> "MMU_NOTIFY_CLEAR"
      [] site = "zap_page_range_single"         -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_page_copy"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "move_page_tables"              -> "MMU_NOTIFY_UNMAP"
      [] site = "madvise_free_single_vma"       -> "MMU_NOTIFY_CLEAR"
      [] site = "page_mkclean_one"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "try_to_unmap_one"              -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_pages"                 -> "MMU_NOTIFY_CLEAR"
      [] site = "clear_refs_write"              -> "MMU_NOTIFY_SOFT_DIRTY"
      [] site = "change_protection"             -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "oom_reap_task_mm"              -> "MMU_NOTIFY_CLEAR"
      [] site = "exit_mmap"                     -> "MMU_NOTIFY_RELEASE"
      [] site = "uffd_wp_range"                 -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "make_device_exclusive"         -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "remove_device_exclusive_entry" -> "MMU_NOTIFY_CLEAR"
      [] site = "change_prot_numa"              -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "do_pagemap_scan"               -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "move_pages_ptes"               -> "MMU_NOTIFY_CLEAR"
      [] site = "move_pages_huge_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_clean_pre_vma"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "move_hugetlb_page_tables"      -> "MMU_NOTIFY_CLEAR"
      [] site = "mmap_region"                   -> "MMU_NOTIFY_UNMAP"
      [] site = "hugetlb_change_protection"     -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "unmap_hugepage_range"          -> "MMU_NOTIFY_CLEAR"
      [] site = "hugetlb_wp"                    -> "MMU_NOTIFY_CLEAR"
      [] site = "do_huge_zero_wp_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_vma_collect"           -> "MMU_NOTIFY_MIGRATE"
      [] site = "split_folio"                   -> "MMU_NOTIFY_CLEAR"

\* linux-7.3 (7.3.4 (Debian linux-source-7.3, trixie-backports))
Linux7x3Event(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "copy_hugetlb_page_range"       -> "MMU_NOTIFY_CLEAR"
      [] site = "split_huge_page"               -> "MMU_NOTIFY_CLEAR"
      [] site = "write_protect_page"            -> "MMU_NOTIFY_CLEAR"
      [] site = "replace_page"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "unmap_vmas"                    -> "MMU_NOTIFY_UNMAP"
      [] site = "zap_page_range"                -> "MMU_NOTIFY_CLEAR"
      [] site = "zap_page_range_single"         -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_page_copy"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "move_page_tables"              -> "MMU_NOTIFY_UNMAP"
      [] site = "madvise_free_single_vma"       -> "MMU_NOTIFY_CLEAR"
      [] site = "page_mkclean_one"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "try_to_unmap_one"              -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_pages"                 -> "MMU_NOTIFY_CLEAR"
      [] site = "clear_refs_write"              -> "MMU_NOTIFY_SOFT_DIRTY"
      [] site = "change_protection"             -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "oom_reap_task_mm"              -> "MMU_NOTIFY_CLEAR"
      [] site = "exit_mmap"                     -> "MMU_NOTIFY_RELEASE"
      [] site = "uffd_wp_range"                 -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "make_device_exclusive"         -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "remove_device_exclusive_entry" -> "MMU_NOTIFY_CLEAR"
      [] site = "change_prot_numa"              -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "do_pagemap_scan"               -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "move_pages_ptes"               -> "MMU_NOTIFY_CLEAR"
      [] site = "move_pages_huge_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_clean_pre_vma"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "move_hugetlb_page_tables"      -> "MMU_NOTIFY_CLEAR"
      [] site = "mmap_region"                   -> "MMU_NOTIFY_UNMAP"
      [] site = "hugetlb_change_protection"     -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "unmap_hugepage_range"          -> "MMU_NOTIFY_CLEAR"
      [] site = "hugetlb_wp"                    -> "MMU_NOTIFY_CLEAR"
      [] site = "do_huge_zero_wp_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_vma_collect"           -> "MMU_NOTIFY_MIGRATE"
      [] site = "split_folio"                   -> "MMU_NOTIFY_CLEAR"

\* upstream (the newest release: linux-7.3)
UpstreamEvent(site, prot) ==
    CASE site = "copy_page_range"               -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "copy_hugetlb_page_range"       -> "MMU_NOTIFY_CLEAR"
      [] site = "split_huge_page"               -> "MMU_NOTIFY_CLEAR"
      [] site = "write_protect_page"            -> "MMU_NOTIFY_CLEAR"
      [] site = "replace_page"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "unmap_vmas"                    -> "MMU_NOTIFY_UNMAP"
      [] site = "zap_page_range"                -> "MMU_NOTIFY_CLEAR"
      [] site = "zap_page_range_single"         -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_page_copy"                  -> "MMU_NOTIFY_CLEAR"
      [] site = "move_page_tables"              -> "MMU_NOTIFY_UNMAP"
      [] site = "madvise_free_single_vma"       -> "MMU_NOTIFY_CLEAR"
      [] site = "page_mkclean_one"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "try_to_unmap_one"              -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_pages"                 -> "MMU_NOTIFY_CLEAR"
      [] site = "clear_refs_write"              -> "MMU_NOTIFY_SOFT_DIRTY"
      [] site = "change_protection"             -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "oom_reap_task_mm"              -> "MMU_NOTIFY_CLEAR"
      [] site = "exit_mmap"                     -> "MMU_NOTIFY_RELEASE"
      [] site = "uffd_wp_range"                 -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "make_device_exclusive"         -> "MMU_NOTIFY_EXCLUSIVE"
      [] site = "remove_device_exclusive_entry" -> "MMU_NOTIFY_CLEAR"
      [] site = "change_prot_numa"              -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "do_pagemap_scan"               -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "move_pages_ptes"               -> "MMU_NOTIFY_CLEAR"
      [] site = "move_pages_huge_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_clean_pre_vma"              -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "move_hugetlb_page_tables"      -> "MMU_NOTIFY_CLEAR"
      [] site = "mmap_region"                   -> "MMU_NOTIFY_UNMAP"
      [] site = "hugetlb_change_protection"     -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "unmap_hugepage_range"          -> "MMU_NOTIFY_CLEAR"
      [] site = "hugetlb_wp"                    -> "MMU_NOTIFY_CLEAR"
      [] site = "do_huge_zero_wp_pmd"           -> "MMU_NOTIFY_CLEAR"
      [] site = "migrate_vma_collect"           -> "MMU_NOTIFY_MIGRATE"
      [] site = "split_folio"                   -> "MMU_NOTIFY_CLEAR"

EventOf(voc, site, prot) ==
    CASE voc = "v7"            -> V7Event(site, prot)
      [] voc = "v7-reviewed"   -> V7ReviewedEvent(site, prot)
      [] voc = "linux-6.1"     -> Linux6x1Event(site, prot)
      [] voc = "linux-6.12"    -> Linux6x12Event(site, prot)
      [] voc = "linux-6.18"    -> Linux6x18Event(site, prot)
      [] voc = "linux-7.2"     -> Linux7x2Event(site, prot)
      [] voc = "linux-7.3"     -> Linux7x3Event(site, prot)
      [] voc = "upstream"      -> UpstreamEvent(site, prot)

\* TruthfulEvent: the class of PTE change an event's documentation allows (see below).
EventClass(ev) ==
    CASE ev \in {"MMU_FORK", "MMU_WRITE_BACK", "MMU_WRITE_PROTECT", "MMU_KSM_WRITE_PROTECT",
               "MMU_NOTIFY_PROTECTION_PAGE"} -> "wp"
      [] ev \in {"MMU_HSPLIT", "MMU_ISDIRTY", "MMU_MUNLOCK", "MMU_HUGE_PAGE_SPLIT",
               "MMU_CLEAR_SOFT_DIRTY", "MMU_NOTIFY_SOFT_DIRTY"} -> "same"
      [] ev = "MMU_READ_WRITE" -> "up"
      [] ev \in {"MMU_MPROT", "MMU_NOTIFY_PROTECTION_VMA"} -> "prot"
      [] ev \in {"MMU_MUNMAP", "MMU_UNMAP", "MMU_NOTIFY_UNMAP", "MMU_NOTIFY_RELEASE"} -> "unmap"
      [] OTHER -> "any"
\* END GENERATED

AllEvents == UNION {EventsOf(voc) : voc \in Vocabularies}

\* Listener reactions (docs/rules.md "Listener reactions").
Reactions == {"unmap", "write-protect", "ignore", "consult-vma", "unmap-at-end"}

\* Device-exclusive entries (b756a3b5e7ea, 5.14): upstream only.
ExclusiveSites == {"make_device_exclusive", "remove_device_exclusive_entry"}

\* Sites that act on exactly one page (they allocate one new frame or touch
\* one address).  The others act on a range [start, end) of pages.
SinglePageSites == {"migrate_pages", "move_page_tables", "move_hugetlb_page_tables", "move_pages_ptes", "page_mkclean_one",
                    "try_to_unmap_one", "write_protect_page", "replace_page",
                    "wp_page_copy", "make_device_exclusive", "remove_device_exclusive_entry",
                    "migrate_vma_collect",
                    \* one huge page (a spec page stands for the whole PMD / hugetlb entry)
                    "move_pages_huge_pmd", "hugetlb_wp", "do_huge_zero_wp_pmd"}

\* Sites that move a page to another address (mremap's move_page_tables and,
\* for a hugetlb VMA, move_hugetlb_page_tables; UFFDIO_MOVE's move_pages_ptes and,
\* for a whole PMD-mapped THP, move_pages_huge_pmd): the destination PTE is
\* filled, not notified.
MremapSites == {"move_page_tables", "move_hugetlb_page_tables"}
UffdMoveSites == {"move_pages_ptes", "move_pages_huge_pmd"}
MoveSites == MremapSites \cup UffdMoveSites

\* Sites that allocate a new frame before the invalidation starts
\* (wp_page_copy allocates new_page before mmu_notifier_invalidate_range_start;
\* migration allocates the target page first; KSM's kpage already exists).
\* hugetlb_wp allocates and copies before its start (alloc_hugetlb_folio,
\* copy_user_large_folio); do_huge_zero_wp_pmd allocates its THP first
\* (vma_alloc_anon_folio_pmd), Linux 7.2 mm/hugetlb.c, mm/huge_memory.c.
AllocSites == {"migrate_pages", "replace_page", "wp_page_copy", "migrate_vma_collect",
               "hugetlb_wp", "do_huge_zero_wp_pmd"}

(***************************************************************************)
(* TruthfulEvent: which PTE changes an event's documentation allows        *)
(* (docs/rules.md; v7 enum mmu_event doc comments, kernel-facts.md SEED-ENUM; *)
(* enum mmu_notifier_event kernel-doc, 3.2).                                *)
(*  "wp"   : write-protect events: same frame, read access kept            *)
(*           (MMU_FORK, MMU_WRITE_BACK, MMU_WRITE_PROTECT, ..._KSM_...,     *)
(*            MMU_NOTIFY_PROTECTION_PAGE: "read/write change of pages")     *)
(*  "same" : same frame, same access; only tracking bits (soft-dirty, with *)
(*           the tracking write-protect of clear_soft_dirty) may           *)
(*           change (HSPLIT "memory is the same", ISDIRTY, MUNLOCK "page   *)
(*           table unchanged", SOFT_DIRTY "same page and same access")     *)
(*  "up"   : MMU_READ_WRITE: same frame, no access removed                 *)
(*  "prot" : protection change per the VMA: same frame, any access         *)
(*           (MMU_MPROT, MMU_NOTIFY_PROTECTION_VMA)                        *)
(*  "unmap": the range is being unmapped: a PTE goes away or loses access  *)
(*           (PROT_NONE), never a new frame (MMU_MUNMAP, MMU_UNMAP,         *)
(*           MMU_NOTIFY_UNMAP "munmap()", MMU_NOTIFY_RELEASE "no longer    *)
(*           accessible")                                                  *)
(*  "any"  : the frame may go away or change (MMU_MIGRATE,                 *)
(*           MMU_NOTIFY_CLEAR, MMU_NOTIFY_MIGRATE, MMU_NOTIFY_EXCLUSIVE)    *)
(***************************************************************************)

\* Is the change old -> new of one CPU PTE allowed under event ev?  Filling
\* an empty PTE is allowed under every event (R8: never notified).
Allowed(ev, old, new) ==
    LET c == EventClass(ev) IN
    CASE old.f = 0  -> TRUE
      [] c = "any"  -> TRUE
      [] c = "prot" -> new.f = old.f
      [] c = "unmap" -> new.f = 0 \/ new.f = old.f
      [] c = "wp"   -> new.f = old.f /\ new.acc >= Min(old.acc, 1)
      [] c = "up"   -> new.f = old.f /\ new.acc >= old.acc
      \* soft-dirty clearing write-protects for tracking (clear_soft_dirty): the
      \* write bit goes with the soft-dirty bit, the access the listener keeps
      \* is the same ("User should soft dirty the page in the end callback")
      [] c = "same" -> new.f = old.f /\ (new.acc = old.acc \/ (old.sd /\ ~new.sd /\ new.acc = Min(old.acc, 1)))

\* A change that must be notified (rules.md RangeCoversChange; R8: fill-in of
\* an empty PTE, accessed/dirty bits and permission upgrades are not
\* notified).  Clearing soft-dirty is a (tracking) write-protect: notified.
NeedsNotify(old, new) ==
    /\ old.f # 0
    /\ \/ new.f # old.f
       \/ new.acc < old.acc
       \/ old.sd /\ ~new.sd

NonePte == [f |-> 0, acc |-> 0, sd |-> FALSE]

(***************************************************************************)
(* The PTE effect of a call site on one page (everything but mremap's      *)
(* destination, handled in NotifierSpec).  o = old PTE, prot = new VMA     *)
(* protection (mprotect), nf = the frame allocated for AllocSites.         *)
(***************************************************************************)
SitePte(site, o, prot, nf) ==
    IF o.f = 0 THEN o ELSE
    CASE site \in {"copy_page_range", "copy_hugetlb_page_range"}
            -> [o EXCEPT !.acc = Min(o.acc, 1)]          \* COW: wrprotect parent PTEs
      [] site = "split_huge_page"  -> o                 \* same pages, finer table
      \* clear_soft_dirty (fs/proc/task_mmu.c, 7.2): pte_wrprotect, then
      \* pte_clear_soft_dirty ("the soft-dirty tracker uses #PF-s to catch writes")
      [] site = "clear_refs_write"  -> [o EXCEPT !.sd = FALSE, !.acc = Min(o.acc, 1)]
      \* migrate_vma_collect: the device-private migration of lib/test_hmm.c
      \* dmirror_migrate_to_device in one site (NotifierSpec ApplyPte): the page
      \* goes to the owner's device page nf (copied), the access kept
      [] site \in {"migrate_pages", "replace_page", "migrate_vma_collect"}
            -> [o EXCEPT !.f = nf, !.acc = IF site = "replace_page" THEN Min(o.acc, 1) ELSE o.acc]
      \* COW: a writable PTE of the new copy (wp_page_copy; hugetlb_wp: make_huge_pte,
      \* set_huge_pte_at), or of the new zeroed THP that replaces the huge zero PMD
      \* (do_huge_zero_wp_pmd: map_anon_folio_pmd_pf, writable in a VM_WRITE VMA)
      [] site \in {"wp_page_copy", "hugetlb_wp", "do_huge_zero_wp_pmd"} -> [f |-> nf, acc |-> 2, sd |-> TRUE]
      \* change_pte_range; hugetlb_change_protection: huge_pte_modify (an upgrade to
      \* writable is left to the next fault, as for change_protection)
      [] site \in {"change_protection", "hugetlb_change_protection"} -> [o EXCEPT !.acc = Min(o.acc, prot)]
      \* UFFDIO_WRITEPROTECT: change_protection(MM_CP_UFFD_WP) -> pte_mkuffd_wp
      \* write-protects the PTEs; the VMA keeps its protection (docs/protection-vma.md)
      [] site = "uffd_wp_range"     -> [o EXCEPT !.acc = Min(o.acc, 1)]
      \* PAGEMAP_SCAN with PM_SCAN_WP_MATCHING (fs/proc/task_mmu.c make_uffd_wp_pte:
      \* pte_mkuffd_wp, a write-protect); the VMA keeps its protection
      [] site = "do_pagemap_scan"   -> [o EXCEPT !.acc = Min(o.acc, 1)]
      \* NUMA hinting (mm/mempolicy.c change_prot_numa -> change_protection with
      \* MM_CP_PROT_NUMA: newprot = PAGE_NONE); the VMA keeps its protection, the
      \* next access takes do_numa_page, which restores the PTE (not notified, R8).
      \* The folios change_pte_range skips (zero, KSM, shared COW, pinned, ...) are
      \* not singled out: the model lets every present PTE become PROT_NONE.
      [] site = "change_prot_numa"  -> [o EXCEPT !.acc = 0]
      \* wp_clean_pre_vma's walk (mm/mapping_dirty_helpers.c wp_pte: ptep_modify_prot_start,
      \* pte_wrprotect, ptep_modify_prot_commit, writable PTEs only)
      [] site \in {"page_mkclean_one", "write_protect_page", "wp_clean_pre_vma"}
            -> [o EXCEPT !.acc = Min(o.acc, 1)]
      \* MADV_FREE keeps the PTE (mm/madvise.c madvise_free_pte_range, 7.2:
      \* clear_young_dirty_ptes makes it old and clean; the page goes at reclaim)
      [] site = "madvise_free_single_vma" -> o
      [] site \in {"unmap_vmas", "mmap_region", "zap_page_range", "zap_page_range_single",
                   "move_page_tables", "move_hugetlb_page_tables", "move_pages_ptes", "move_pages_huge_pmd",
                   "try_to_unmap_one", "oom_reap_task_mm", "exit_mmap", "unmap_hugepage_range"} -> NonePte
      \* frame and protection stay; the entry's exclusivity is NotifierSpec's excl
      [] site \in ExclusiveSites -> o

\* What a listener's callback does to one device PTE d under reaction r at
\* invalidate_range_start (or invalidate_page).  vmaProt = the VMA's
\* protection now (mprotect_fixup updates vm_flags before change_protection,
\* so consult-vma sees the new protection; HMM07 hmm_mmu_mprot_to_etype).
DevNone == [f |-> 0, acc |-> 0, gone |-> FALSE]
React(r, d, vmaProt) ==
    CASE r = "unmap"         -> DevNone
      [] r = "write-protect" -> IF d.f = 0 THEN d ELSE [d EXCEPT !.acc = Min(d.acc, 1)]
      [] r = "consult-vma"   -> (CASE vmaProt = 0 -> DevNone
                                   [] vmaProt = 1 -> IF d.f = 0 THEN d ELSE [d EXCEPT !.acc = Min(d.acc, 1)]
                                   [] vmaProt = 2 -> d)
      [] r \in {"ignore", "unmap-at-end"} -> d

(***************************************************************************)
(* Listener policies (event -> reaction), used by the models as Policy.    *)
(***************************************************************************)
\* A correct listener for every vocabulary (kernel-facts.md UP-POLICY): drop
\* everything when the frame may change, drop write on write-protect
\* events and on soft-dirty clearing (exact tracking), consult the VMA on a
\* protection change, nothing when pages and access stay the same.
CorrectReaction(e) ==
    CASE EventClass(e) = "wp"   -> "write-protect"
      [] e \in {"MMU_ISDIRTY", "MMU_CLEAR_SOFT_DIRTY", "MMU_NOTIFY_SOFT_DIRTY"} -> "write-protect"
      [] EventClass(e) \in {"same", "up"} -> "ignore"
      [] EventClass(e) = "prot" -> "consult-vma"
      [] OTHER -> "unmap"

\* HMM's own listener in the same series (HMM07 hmm_notifier_invalidate_range_start,
\* kernel-facts.md HMM07): MMU_ISDIRTY keeps the device PTE ("rely on the
\* regular and conservative dirtying", Glisse in the seed thread).
HMM07Reaction(e) ==
    CASE e = "MMU_ISDIRTY" -> "ignore"
      [] OTHER -> CorrectReaction(e)

\* The same with one event overridden.
Override(e, ev, r) == IF e = ev THEN r ELSE CorrectReaction(e)
=============================================================================
