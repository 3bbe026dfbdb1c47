-------------------- MODULE MCFailLockAcrossReadBeginLiveness --------------------
(***************************************************************************)
(* The rule lock_across_read_begin breaks.  MCFailLockAcrossReadBegin's     *)
(* model under LiveSpec without deadlock checking: the driver holds its     *)
(* lock across mmu_interval_read_begin, which waits for the pass to end,    *)
(* while the second invalidation's callback waits for that lock, so the     *)
(* started invalidation never ends (InvalidationEnds; the device fault      *)
(* never completes either, RetriedFaultCompletes).  Without the bug both    *)
(* hold on this configuration (TLC: 1491 distinct states).                  *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
