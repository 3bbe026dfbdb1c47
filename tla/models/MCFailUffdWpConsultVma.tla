-------------------- MODULE MCFailUffdWpConsultVma --------------------
(***************************************************************************)
(* MMU_NOTIFY_PROTECTION_VMA on Linux 7.2 (docs/protection-vma.md): a      *)
(* listener that consults the VMA, as the event's kernel-doc allows, keeps *)
(* device write access after UFFDIO_WRITEPROTECT, whose uffd_wp_range ->   *)
(* change_protection(MM_CP_UFFD_WP) write-protects the PTEs and leaves the *)
(* VMA read-write: a device write escapes userfaultfd write-protection.    *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"uffd_wp_range"}
MCRanges == {{1}}
=============================================================================
