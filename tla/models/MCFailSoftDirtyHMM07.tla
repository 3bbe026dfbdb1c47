-------------------- MODULE MCFailSoftDirtyHMM07 --------------------
(***************************************************************************)
(* HMM07's listener keeps device PTEs on v7's MMU_ISDIRTY (clear_refs): a   *)
(* device write after clear_refs leaves the page clean.                     *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> HMM07Reaction(e)]]
MCSites  == {"clear_refs_write"}
MCRanges == {{1}}
=============================================================================
