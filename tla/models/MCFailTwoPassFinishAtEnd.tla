------------------ MODULE MCFailTwoPassFinishAtEnd ------------------
(***************************************************************************)
(* Bug two_pass_finish_at_end: the two-pass listener's invalidate_finish   *)
(* runs at invalidate_range_end instead of before invalidate_range_start   *)
(* returns (mm/mmu_notifier.c mn_itree_invalidate, mn_itree_finish_pass):  *)
(* Between the PTE change and end the device still maps the old frame      *)
(* (R5, R6).                                                               *)
(* The reference's mutant FinishPassAtEnd.                                 *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
MCTwoPass == {1}
=============================================================================
