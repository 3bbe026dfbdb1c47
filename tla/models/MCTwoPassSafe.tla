-------------------- MODULE MCTwoPassSafe --------------------
(***************************************************************************)
(* A two-pass interval notifier (device 1: invalidate_start sets the seq,  *)
(* invalidate_finish tears down; drivers/gpu/drm/xe/xe_userptr.c) next to  *)
(* a one-pass dmirror (device 2).  mn_itree_invalidate runs the finish     *)
(* pass before invalidate_range_start returns, also when device 2 refuses  *)
(* the OOM reaper's non-blockable start (then mn_itree_inv_end, no end).   *)
(* Every rule holds.                                                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"oom_reap_task_mm", "zap_page_range"}
MCRanges == {{1}}
MCTwoPass == {1}
=============================================================================
