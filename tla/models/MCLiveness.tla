-------------------- MODULE MCLiveness --------------------
(***************************************************************************)
(* Liveness under fairness: every started invalidation ends, and a device   *)
(* fault that keeps being retried completes once invalidations stop.        *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "oom_reap_task_mm"}
MCRanges == {{1}}
=============================================================================
