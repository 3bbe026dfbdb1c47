-------------------- MODULE MCWpSharedMappingSafe --------------------
(***************************************************************************)
(* wp_shared_mapping_range on Linux 7.2 (mm/mapping_dirty_helpers.c, the   *)
(* dirty tracking of vmwgfx buffer objects): wp_clean_pre_vma starts       *)
(* MMU_NOTIFY_PROTECTION_PAGE over the VMA's part, wp_pte write-protects   *)
(* the writable PTEs, wp_clean_post_vma flushes the TLB and ends; no       *)
(* mmap_lock (i_mmap_lock_read).  With a zap, one mirror with the correct  *)
(* policy (write-protect on MMU_NOTIFY_PROTECTION_PAGE): every rule holds. *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"wp_clean_pre_vma", "zap_page_range"}
MCRanges == {{1}, {1, 2}}
=============================================================================
