-------------------- MODULE MCFailInvalidatePageFreed --------------------
(***************************************************************************)
(* B1/M1: v7's try_to_unmap_one tells an invalidate_page listener only after *)
(* pte_unmap_unlock; the frame is freed (R7) before the listener is told.   *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"try_to_unmap_one"}
MCRanges == {{1}}
=============================================================================
