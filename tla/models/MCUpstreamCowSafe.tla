-------------------- MODULE MCUpstreamCowSafe --------------------
(***************************************************************************)
(* Upstream: fork (PROTECTION_PAGE), the COW write fault (wp_page_copy,     *)
(* CLEAR), hugetlb fork, writeback (page_mkclean_one, PROTECTION_PAGE) and  *)
(* THP split interleave with device faults.  Every rule holds.              *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"copy_page_range", "wp_page_copy", "copy_hugetlb_page_range", "page_mkclean_one", "split_huge_page"}
MCRanges == {{1}, {1, 2}}
=============================================================================
