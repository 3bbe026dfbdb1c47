-------------------- MODULE MCFailNoReadRetry --------------------
(***************************************************************************)
(* M3/B12: the driver installs the snapshot without mmu_interval_read_retry: *)
(* a zap that ran between hmm_range_fault and device_lock leaves the device *)
(* mapping a page the CPU no longer maps.                                   *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
