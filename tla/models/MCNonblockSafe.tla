-------------------- MODULE MCNonblockSafe --------------------
(***************************************************************************)
(* The OOM reaper's non-blockable invalidation (__oom_reap_task_mm): the    *)
(* dmirror callback refuses with -EAGAIN when its lock is held; the reaper  *)
(* then skips the range and calls no end (R1, R2).  Every rule holds.       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"oom_reap_task_mm", "zap_page_range"}
MCRanges == {{1}, {1, 2}}
=============================================================================
