-------------------- MODULE MCExitSafe --------------------
(***************************************************************************)
(* mremap (move_page_tables) into an empty area, then exit_mmap: release    *)
(* freezes the mirrors, then the address space is torn down.                *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"move_page_tables", "exit_mmap", "try_to_unmap_one"}
MCRanges == {{1}, {2}}
=============================================================================
