-------------------- MODULE MCFailMprotWriteProtectOnly --------------------
(***************************************************************************)
(* The seed's MMU_MPROT debate: a listener that only write-protects on v7's *)
(* MMU_MPROT (no find_vma) keeps read access after mprotect(PROT_NONE).     *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_MPROT", "write-protect")]]
MCSites  == {"change_protection"}
MCRanges == {{1}}
=============================================================================
