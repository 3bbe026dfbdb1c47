-------------------- MODULE MCMapFixedSafe --------------------
(***************************************************************************)
(* mmap(MAP_FIXED) over a mapping on Linux 7.2 (mm/vma.c __mmap_region ->  *)
(* __mmap_setup -> vms_clean_up_area -> vms_clear_ptes -> unmap_region ->  *)
(* mm/memory.c unmap_vmas: MMU_NOTIFY_UNMAP while the old VMA is still in  *)
(* the tree, mmap_lock held for write; the new VMA, read-only or           *)
(* read-write, stored after) with a zap, one mirror with the correct       *)
(* policy: every rule holds.                                               *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"mmap_region", "zap_page_range"}
MCRanges == {{1}, {1, 2}}
=============================================================================
