-------------------- MODULE MCFailKsmBreakIgnoreClear --------------------
(***************************************************************************)
(* A listener that ignores MMU_NOTIFY_CLEAR, as if an mremap only sent     *)
(* MMU_NOTIFY_UNMAP (move_page_tables), on Linux 7.2: page 1 is a KSM page *)
(* (merged before the model starts: InitKsm), and mremap breaks it before  *)
(* moving it (mm/mremap.c prep_move_vma -> ksm_madvise(MADV_UNMERGEABLE)   *)
(* -> mm/ksm.c break_ksm -> mm/memory.c wp_page_copy, MMU_NOTIFY_CLEAR):   *)
(* the device keeps the KSM page the CPU no longer maps                    *)
(* (NoStaleDeviceMapping).  With MremapBreakKsm off (the page moved as it  *)
(* is, the spec before the break) the same listener passes: the move's    *)
(* MMU_NOTIFY_UNMAP is the only event.                                     *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_NOTIFY_CLEAR", "ignore")]]
MCSites  == {"move_page_tables"}
MCRanges == {{1}}
MCTrue   == TRUE
MCKsm    == {1}
=============================================================================
