-------------------- MODULE MCFailRetryOutsideLock --------------------
(***************************************************************************)
(* M3: read_retry checked before taking the driver lock (hmm.rst: the lock  *)
(* must be held around read_retry): the invalidate callback runs between the *)
(* check and the install.                                                   *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
