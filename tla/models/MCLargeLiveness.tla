-------------------- MODULE MCLargeLiveness --------------------
(***************************************************************************)
(* Long run: liveness with two threads and two devices.                     *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "oom_reap_task_mm", "migrate_pages"}
MCRanges == {{1}}
=============================================================================
