-------------------- MODULE MCFailReadBeginNoSleep --------------------
(***************************************************************************)
(* M5: mmu_interval_read_begin does not wait while the subscription's seq   *)
(* equals the mm's (already hit by the running pass).                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
