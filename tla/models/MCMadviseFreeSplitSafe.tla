-------------------- MODULE MCMadviseFreeSplitSafe --------------------
(***************************************************************************)
(* MADV_FREE over part of a PMD-mapped THP on Linux 7.2: the folio split   *)
(* (split_folio: mm/huge_memory.c madvise_free_huge_pmd -> split_folio ->  *)
(* mm/rmap.c try_to_migrate_one, MMU_NOTIFY_CLEAR over the whole folio)    *)
(* maps each zero-filled subpage to the shared zero page and frees it      *)
(* (mm/migrate.c try_to_map_unused_to_zeropage), then madvise_free_pte_    *)
(* range keeps the PTEs of the range (madvise_free_single_vma); with       *)
(* MADV_DONTNEED's zap, a device that reads and writes (values 0 and 1:    *)
(* a subpage is zero-filled or not) and the correct policy, every rule     *)
(* holds.  Two CPU threads: the kernel runs the split inside              *)
(* madvise_free_single_vma's bracket (linux-7.2 mm/madvise.c               *)
(* madvise_free_single_vma: invalidate_range_start, then walk_page_range   *)
(* -> madvise_free_pte_range -> madvise_free_huge_pmd -> split_folio, then *)
(* invalidate_range_end), which one thread, one bracket at a time, cannot  *)
(* take: with two, madvise_free_single_vma started on one thread and the   *)
(* split's whole bracket on the other before its step is one of the        *)
(* interleavings (active_invalidate_ranges 2, one pass), with the          *)
(* concurrent ones besides.                                                *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"split_folio", "madvise_free_single_vma", "zap_page_range"}
MCRanges == {{1}, {1, 2}}
MCZero   == 4
=============================================================================
