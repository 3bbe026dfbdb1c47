------------------- MODULE MCFailMigrateSkipAnyOwnerLinux6x12 -------------------
(***************************************************************************)
(* linux-6.12. Bug migrate_skip_any_owner: every listener skips every MMU_NOTIFY_MIGRATE *)
(* event, whatever its owner (lib/test_hmm.c dmirror_interval_invalidate    *)
(* without its range->owner == dmirror->mdevice check): the other device    *)
(* keeps its mapping of the page the owner migrates to its memory.         *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"migrate_vma_collect"}
MCRanges == {{1}}
=============================================================================
