-------------------- MODULE MCV7ReviewedSafe --------------------
(***************************************************************************)
(* v7-reviewed: mprotect sends MMU_UNMAP / MMU_WRITE_PROTECT / MMU_READ_WRITE *)
(* (Hubbard's precise events).  A listener that reacts to the event alone   *)
(* (no find_vma) is safe, including mprotect to none.                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"change_protection", "zap_page_range_single", "clear_refs_write"}
MCRanges == {{1}, {1, 2}}
=============================================================================
