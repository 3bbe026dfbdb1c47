-------------------- MODULE MCFailLostWrite --------------------
(***************************************************************************)
(* The consequence of tearing down only in invalidate_range_end: a device   *)
(* write lands in the old frame after the CPU PTE moved on (migration), and *)
(* the CPU never sees it.                                                   *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_NOTIFY_CLEAR", "unmap-at-end")]]
MCSites  == {"migrate_pages"}
MCRanges == {{1}}
=============================================================================
