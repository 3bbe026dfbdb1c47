-------------------- MODULE MCFailIgnoreFork --------------------
(***************************************************************************)
(* B14: a listener that ignores v7's MMU_FORK keeps write access to pages   *)
(* that fork write-protected for COW.                                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_FORK", "ignore")]]
MCSites  == {"copy_page_range"}
MCRanges == {{1}}
=============================================================================
