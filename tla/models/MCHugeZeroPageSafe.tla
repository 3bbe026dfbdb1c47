-------------------- MODULE MCHugeZeroPageSafe --------------------
(***************************************************************************)
(* The huge zero page on Linux 7.2 (transparent_hugepage/use_zero_page):  *)
(* a device's read fault in an empty page (a huge block) maps the huge     *)
(* zero page read-only (mm/huge_memory.c do_huge_pmd_anonymous_page); a    *)
(* write to it is do_huge_zero_wp_pmd (MMU_NOTIFY_CLEAR over the PMD, a    *)
(* new zeroed THP mapped writable), UFFDIO_MOVE of a whole THP             *)
(* (move_pages_huge_pmd, MMU_NOTIFY_CLEAR over the source PMD; the huge    *)
(* zero PMD moves read-only) and MADV_DONTNEED's zap; one mirror with the  *)
(* correct policy: every rule holds.                                       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"do_huge_zero_wp_pmd", "move_pages_huge_pmd", "zap_page_range"}
MCRanges == {{1}, {2}}
MCZero   == 3
=============================================================================
