-------------------- MODULE MCFailWritebackInvalidatePage --------------------
(***************************************************************************)
(* B1: v7's page_mkclean_one write-protects the PTE for writeback, then drops *)
(* the PTL and only then calls invalidate_page (MMU_WRITE_BACK): in between a *)
(* device keeps write access to a page being written back.                  *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"page_mkclean_one"}
MCRanges == {{1}}
=============================================================================
