-------------------- MODULE MCFailMadviseFreeSplitWriteProtect --------------------
(***************************************************************************)
(* A listener that write-protects instead of unmapping on                  *)
(* MMU_NOTIFY_CLEAR, as if MADV_FREE kept every page (madvise_free_pte_    *)
(* range keeps the PTE: with madvise_free_single_vma alone it would be     *)
(* safe), on Linux 7.2: MADV_FREE over part of a THP splits the folio      *)
(* (split_folio, MMU_NOTIFY_CLEAR over the folio) and maps a zero-filled   *)
(* subpage to the shared zero page, freeing its page (mm/migrate.c         *)
(* try_to_map_unused_to_zeropage): the device keeps read access to a page  *)
(* the CPU no longer maps (NoStaleDeviceMapping).                          *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_NOTIFY_CLEAR", "write-protect")]]
MCSites  == {"split_folio", "madvise_free_single_vma"}
MCRanges == {{1}, {1, 2}}
MCZero   == 3
=============================================================================
