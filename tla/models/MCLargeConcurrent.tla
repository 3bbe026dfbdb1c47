-------------------- MODULE MCLargeConcurrent --------------------
(***************************************************************************)
(* Long run: two CPU threads (concurrent and overlapping invalidations, R4) *)
(* and two devices under the upstream vocabulary.                           *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "migrate_pages", "change_protection", "oom_reap_task_mm", "clear_refs_write"}
MCRanges == {{1}, {1, 2}}
=============================================================================
