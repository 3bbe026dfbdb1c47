-------------------- MODULE MCNotifierSafe --------------------
(***************************************************************************)
(* Upstream vocabulary, a correct listener and the hmm.rst driver: zap      *)
(* (MADV_DONTNEED), mprotect, NUMA migration, fork and clear_refs interleave *)
(* with device faults and accesses.  Every rule holds.                      *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "change_protection", "migrate_pages", "copy_page_range", "clear_refs_write"}
MCRanges == {{1}, {1, 2}}
=============================================================================
