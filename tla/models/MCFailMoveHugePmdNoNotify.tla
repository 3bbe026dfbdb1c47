-------------------- MODULE MCFailMoveHugePmdNoNotify --------------------
(***************************************************************************)
(* Planted kernel bug move-huge-pmd-no-notify (bug flag                   *)
(* move_huge_pmd_no_notify; the reference's Mutant.MoveHugePmdNoNotify):  *)
(* UFFDIO_MOVE of a whole THP (Linux 7.2 mm/huge_memory.c                 *)
(* move_pages_huge_pmd) clears the source PMD and maps the destination    *)
(* without its MMU_NOTIFY_CLEAR bracket.  MADV_DONTNEED empties the       *)
(* destination first.  Must violate RangeCoversChange.                    *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"move_pages_huge_pmd", "zap_page_range"}
MCRanges == {{1}, {2}}
=============================================================================
