------------------------- MODULE MCMmListenerSafe -------------------------
(***************************************************************************)
(* A full-mm start/end listener (a struct mmu_notifier with               *)
(* invalidate_range_start/end, KVM-style: virt/kvm/kvm_main.c): start      *)
(* tears down and raises mmu_invalidate_in_progress, end bumps             *)
(* mmu_invalidate_seq; its fault path retries under its lock while an      *)
(* invalidation is in progress or the seq moved (mmu_invalidate_retry).    *)
(* Next to an interval mirror, which __mmu_notifier_invalidate_range_start *)
(* calls first.  Every rule holds.                                          *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "change_protection"}
MCRanges == {{1}}
=============================================================================
