-------------------- MODULE MCLargeV7Reviewed --------------------
(***************************************************************************)
(* Long run: v7-reviewed, its start/end call sites, two devices.            *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"copy_page_range", "copy_hugetlb_page_range", "split_huge_page", "clear_refs_write", "migrate_pages", "change_protection", "unmap_vmas", "zap_page_range", "zap_page_range_single", "madvise_free_single_vma", "move_page_tables", "write_protect_page", "replace_page", "wp_page_copy", "oom_reap_task_mm", "exit_mmap"}
MCRanges == {{1}, {1, 2}}
=============================================================================
