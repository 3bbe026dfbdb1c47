-------------------- MODULE MCFailTruthfulMprotect --------------------
(***************************************************************************)
(* A call-site table error: mprotect(PROT_NONE) tagged MMU_WRITE_PROTECT in *)
(* v7-reviewed; the PTE loses read access under a write-protect event.      *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"change_protection"}
MCRanges == {{1}}
=============================================================================
