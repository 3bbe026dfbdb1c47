-------------------- MODULE MCFailHwFlushAtEnd --------------------
(***************************************************************************)
(* M10/B2: the secondary TLB is invalidated only at invalidate_range_end:   *)
(* after the CPU TLB flush the IOMMU still translates to the old frame.     *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
