----------------------- MODULE MCFailPageOnlyMunmap -----------------------
(***************************************************************************)
(* B1 (ea25c4317946): a v7 listener that implements only ->invalidate_page *)
(* hears no range start/end, so munmap (unmap_vmas, MMU_MUNMAP) clears the *)
(* PTE while the device still maps the page (the reference's               *)
(* invalidate_page_only_listener).  Its rmap sites tell it only after the  *)
(* change, like MCFailInvalidatePage*: no configuration of it passes.      *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"unmap_vmas"}
MCRanges == {{1}}
=============================================================================
