-------------------- MODULE MCFailNarrowRange --------------------
(***************************************************************************)
(* M2/B5/B6: the notified range covers only the first page of a two-page    *)
(* (THP-like) extent that the call site changes.                            *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1, 2}}
=============================================================================
