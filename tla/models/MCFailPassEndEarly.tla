-------------------- MODULE MCFailPassEndEarly --------------------
(***************************************************************************)
(* M6: the mm ends the pass (seq++) when one of two concurrent invalidations *)
(* ends, not the last one (R4: start/end run concurrently).                 *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
