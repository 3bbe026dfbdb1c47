----------------------- MODULE MCFailMmNoInProgress -----------------------
(***************************************************************************)
(* A full-mm listener whose fault path checks only mmu_invalidate_seq, not *)
(* mmu_invalidate_in_progress: the seq moves only at invalidate_range_end, *)
(* so a fault that snapshotted the PTE before the change installs it after *)
(* start tore the mirror down (KVM's mmu_invalidate_retry checks both).    *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
