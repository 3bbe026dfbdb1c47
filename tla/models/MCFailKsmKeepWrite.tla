-------------------- MODULE MCFailKsmKeepWrite --------------------
(***************************************************************************)
(* M8: a listener that ignores MMU_KSM_WRITE_PROTECT keeps write access to a *)
(* page KSM write-protected before merging it.                              *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_KSM_WRITE_PROTECT", "ignore")]]
MCSites  == {"write_protect_page"}
MCRanges == {{1}}
=============================================================================
