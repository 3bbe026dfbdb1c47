-------------------- MODULE MCFailLockAcrossReadBegin --------------------
(***************************************************************************)
(* HDR lockdep rule: the driver holds its lock across mmu_interval_read_begin. *)
(* With two concurrent invalidations, read_begin waits for the pass to end  *)
(* while the second invalidation's callback waits for the lock.             *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
