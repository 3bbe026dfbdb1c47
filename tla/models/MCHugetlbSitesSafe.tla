-------------------- MODULE MCHugetlbSitesSafe --------------------
(***************************************************************************)
(* The hugetlb call sites of Linux 7.2 (mm/hugetlb.c): mprotect           *)
(* (hugetlb_change_protection, MMU_NOTIFY_PROTECTION_VMA, its TLB flushed *)
(* before the end), hugetlbfs truncate / hole punch (unmap_hugepage_range,*)
(* MMU_NOTIFY_CLEAR, tlb_finish_mmu after the end), fork                   *)
(* (copy_hugetlb_page_range) and the COW fault that follows it            *)
(* (hugetlb_wp, MMU_NOTIFY_CLEAR); one mirror with the correct policy:     *)
(* every rule holds.  A spec page stands for one huge page.                *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"hugetlb_change_protection", "unmap_hugepage_range", "copy_hugetlb_page_range", "hugetlb_wp"}
MCRanges == {{1}, {1, 2}}
=============================================================================
