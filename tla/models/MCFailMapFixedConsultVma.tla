-------------------- MODULE MCFailMapFixedConsultVma --------------------
(***************************************************************************)
(* A listener that decides by the VMA (consult-vma on MMU_NOTIFY_UNMAP,    *)
(* bug consult-vma-on-map-fixed): right for munmap, whose VMAs are gone    *)
(* before unmap_vmas, wrong for mmap(MAP_FIXED) over a mapping since 6.12: *)
(* Linux 7.2 mm/vma.c __mmap_setup -> vms_clean_up_area zaps while the old *)
(* read-write VMA is still in the tree, so the listener keeps its device   *)
(* mapping of a page the CPU no longer maps.                               *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |->
               IF e = "MMU_NOTIFY_UNMAP" THEN "consult-vma" ELSE CorrectReaction(e)]]
MCSites  == {"mmap_region"}
MCRanges == {{1}}
=============================================================================
