-------------------- MODULE MCFailNoEndAfterRefusal --------------------
(***************************************************************************)
(* B10/M7: after a refused non-blockable start the pass is never ended      *)
(* (mn_itree_inv_end skipped): a device hit by the pass sleeps in           *)
(* read_begin forever.                                                      *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"oom_reap_task_mm"}
MCRanges == {{1}}
=============================================================================
