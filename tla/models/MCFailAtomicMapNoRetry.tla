---------------------- MODULE MCFailAtomicMapNoRetry ----------------------
(***************************************************************************)
(* A driver that programs its device-exclusive entry without the read      *)
(* section around make_device_exclusive (no mmu_interval_read_retry under  *)
(* its lock, as nouveau_atomic_range_fault does): an mprotect on another   *)
(* CPU thread whose callback ran before the atomic map and whose PTE change *)
(* after it leaves the device a writable entry to a read-only page.        *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"change_protection", "make_device_exclusive"}
MCRanges == {{1}}
=============================================================================
