-------------------- MODULE MCHugetlbMremapSafe --------------------
(***************************************************************************)
(* mremap of a hugetlb VMA on Linux 7.2 (mm/mremap.c move_page_tables ->  *)
(* mm/hugetlb.c move_hugetlb_page_tables: MMU_NOTIFY_CLEAR, not the        *)
(* MMU_NOTIFY_UNMAP of the base-page path) with a zap, one mirror with the *)
(* correct policy: every rule holds.                                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"move_hugetlb_page_tables", "zap_page_range"}
MCRanges == {{1}, {2}}
=============================================================================
