-------------------- MODULE MCKsmBreakSafe --------------------
(***************************************************************************)
(* Linux 7.2, a correct listener and the hmm.rst driver: ksmd merges page  *)
(* 1 (write_protect_page, replace_page) and mremap moves it to page 2,     *)
(* breaking the KSM page first (mm/mremap.c prep_move_vma ->               *)
(* ksm_madvise(MADV_UNMERGEABLE) -> mm/ksm.c break_ksm -> mm/memory.c      *)
(* wp_page_copy under MMU_NOTIFY_CLEAR, a read-only copy), then            *)
(* move_page_tables (MMU_NOTIFY_UNMAP), interleaved with device faults,    *)
(* reads and writes.  Every rule holds.                                    *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"write_protect_page", "replace_page", "move_page_tables"}
MCRanges == {{1}}
MCTrue   == TRUE
=============================================================================
