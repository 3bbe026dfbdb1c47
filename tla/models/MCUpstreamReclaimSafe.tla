-------------------- MODULE MCUpstreamReclaimSafe --------------------
(***************************************************************************)
(* Upstream: reclaim (try_to_unmap_one), KSM write-protect then merge       *)
(* (write_protect_page, replace_page), truncate (zap_page_range_single) and *)
(* MADV_FREE, all CLEAR.  Every rule holds.                                 *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"try_to_unmap_one", "write_protect_page", "replace_page", "zap_page_range_single", "madvise_free_single_vma"}
MCRanges == {{1}, {1, 2}}
=============================================================================
