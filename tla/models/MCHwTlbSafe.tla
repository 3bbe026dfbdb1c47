-------------------- MODULE MCHwTlbSafe --------------------
(***************************************************************************)
(* A hardware secondary TLB (IOMMU SVA/ATS) refilling from the CPU page table *)
(* at any time, invalidated by arch_invalidate_secondary_tlbs from the TLB  *)
(* flush under the PTL (R9, R10), next to a dmirror.  Every rule holds; the *)
(* only stale window is between pte_update and tlb_flush.                   *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "migrate_pages", "change_protection"}
MCRanges == {{1}}
=============================================================================
