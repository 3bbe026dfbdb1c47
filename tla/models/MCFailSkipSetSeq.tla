-------------------- MODULE MCFailSkipSetSeq --------------------
(***************************************************************************)
(* M4: the invalidate callback skips mmu_interval_set_seq: a fault whose    *)
(* snapshot predates the change passes read_retry.                          *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
