-------------------- MODULE MCFailEndAfterRefusedStart --------------------
(***************************************************************************)
(* M7: the caller calls invalidate_range_end after a refused non-blockable  *)
(* start (mmu_notifier_invalidate_range_start_nonblock returned -EAGAIN).   *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"oom_reap_task_mm"}
MCRanges == {{1}}
=============================================================================
