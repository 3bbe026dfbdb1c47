-------------------- MODULE MCFailNumaConsultVma --------------------
(***************************************************************************)
(* MMU_NOTIFY_PROTECTION_VMA on Linux 7.2 (docs/protection-vma.md): NUMA  *)
(* hinting (kernel/sched/fair.c task_numa_work -> mm/mempolicy.c           *)
(* change_prot_numa -> change_protection(MM_CP_PROT_NUMA)) makes the PTEs  *)
(* PROT_NONE and leaves the VMA read-write; a listener that consults the   *)
(* VMA, as the event's kernel-doc allows, keeps its device mapping.        *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"change_prot_numa"}
MCRanges == {{1}}
=============================================================================
