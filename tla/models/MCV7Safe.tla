-------------------- MODULE MCV7Safe --------------------
(***************************************************************************)
(* v7 vocabulary (the seed), a correct listener (HMM07's table with         *)
(* MMU_ISDIRTY write-protecting), the start/end call sites of v7: fork,     *)
(* mprotect (MMU_MPROT, consult-vma), munmap, KSM write-protect and merge.  *)
(* Every rule holds.                                                        *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"copy_page_range", "change_protection", "unmap_vmas", "write_protect_page", "replace_page"}
MCRanges == {{1}, {1, 2}}
=============================================================================
