-------------------- MODULE MCFailInvalidatePageRange --------------------
(***************************************************************************)
(* B1: v7's invalidate_page call sites change the PTE with no invalidation  *)
(* started (removed in 4.13, ea25c4317946).                                 *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"page_mkclean_one"}
MCRanges == {{1}}
=============================================================================
