------------------------ MODULE MCFailPageOnlyFreed ------------------------
(***************************************************************************)
(* B1 (ea25c4317946): a v7 listener that implements only ->invalidate_page *)
(* hears nothing of munmap: the frame is freed (R7) while its device PTE  *)
(* still names it (the reference's invalidate_page_only_listener: "frame 1 *)
(* freed", "device still maps page 0").                                    *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"unmap_vmas"}
MCRanges == {{1}}
=============================================================================
