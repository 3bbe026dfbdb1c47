----------------------- MODULE MCDeviceMigrateSafe -----------------------
(***************************************************************************)
(* Device-private migration (linux-7.2 mm/migrate_device.c                 *)
(* migrate_vma_collect, lib/test_hmm.c dmirror_migrate_to_device) with two *)
(* dmirror-like devices: MMU_NOTIFY_MIGRATE carries the migrating device   *)
(* as owner; the owner skips it and maps the device page itself, the other *)
(* device unmaps (CorrectReaction).  With a zap.  Every rule holds.        *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"migrate_vma_collect", "zap_page_range"}
MCRanges == {{1}}
=============================================================================
