-------------------- MODULE MCKsmWriteSafe --------------------
(***************************************************************************)
(* Linux 7.2, a correct listener and the hmm.rst driver: page 1 starts on  *)
(* a KSM page mapped once (InitKsm), ksmd may merge it again               *)
(* (write_protect_page, replace_page), and a CPU write fault copies it     *)
(* (KsmWriteCopies: mm/memory.c do_wp_page -> wp_can_reuse_anon_folio,     *)
(* folio_test_ksm -> false -> wp_page_copy under MMU_NOTIFY_CLEAR, a       *)
(* writable copy), interleaved with device faults, reads and writes.       *)
(* Every rule holds.                                                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"write_protect_page", "replace_page", "wp_page_copy"}
MCRanges == {{1}}
MCTrue   == TRUE
MCInitKsm == {1}
=============================================================================
