-------------------- MODULE MCFailHwFreedBeforeEnd --------------------
(***************************************************************************)
(* MNRST case A: with the secondary TLB invalidated only at end, the page is *)
(* freed (R7) while the IOMMU still translates to it.                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
