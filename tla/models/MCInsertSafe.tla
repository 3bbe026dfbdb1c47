-------------------- MODULE MCInsertSafe --------------------
(***************************************************************************)
(* mmu_interval_notifier_insert while an invalidation runs: the new         *)
(* subscription is "assumed hit" (deferred while the tree is frozen) and its *)
(* first read_begin waits for the pass to end.  Every rule holds.           *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "migrate_pages"}
MCRanges == {{1}}
=============================================================================
