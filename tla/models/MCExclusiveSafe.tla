------------------------- MODULE MCExclusiveSafe -------------------------
(***************************************************************************)
(* Device-exclusive entries (mm/rmap.c make_device_exclusive, 5.14+): a    *)
(* mirror takes a page for atomic access under MMU_NOTIFY_EXCLUSIVE with   *)
(* itself as owner and skips its own event (owner filtering); the other    *)
(* mirror drops the page; a CPU fault restores the PTE with                *)
(* remove_device_exclusive_entry (MMU_NOTIFY_EXCLUSIVE, owner NULL), which *)
(* the owner hears too; mprotect runs on the entry meanwhile, on another   *)
(* CPU thread.                                                             *)
(* Every rule holds (hmm-tests hmm.exclusive, hmm.exclusive_mprotect).     *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"make_device_exclusive", "remove_device_exclusive_entry", "change_protection"}
MCRanges == {{1}}
=============================================================================
