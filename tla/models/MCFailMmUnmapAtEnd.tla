------------------------ MODULE MCFailMmUnmapAtEnd ------------------------
(***************************************************************************)
(* A full-mm listener that tears down only in invalidate_range_end (B12;  *)
(* the reference's teardown_at_end): between the PTE change and end the    *)
(* device still maps the old frame (R5, R6).                                *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_NOTIFY_CLEAR", "unmap-at-end")]]
MCSites  == {"zap_page_range"}
MCRanges == {{1}}
=============================================================================
