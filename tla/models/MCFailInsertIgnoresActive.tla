-------------------- MODULE MCFailInsertIgnoresActive --------------------
(***************************************************************************)
(* M12: an interval notifier inserted while an invalidation is running is   *)
(* not treated as hit: the running invalidation never calls it, its reader  *)
(* passes read_retry with a snapshot the invalidation then changes.         *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
