----------------------- MODULE MCFailOwnerFilterAll -----------------------
(***************************************************************************)
(* Owner filtering applied to every listener (kernel-facts.md UP-POLICY):  *)
(* a mirror skips every MMU_NOTIFY_EXCLUSIVE invalidation that carries an  *)
(* owner, not only its own, and keeps mapping a page another mirror made   *)
(* device-exclusive (the reference's planted exclusive_owner_filter_all).  *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"make_device_exclusive"}
MCRanges == {{1}}
=============================================================================
