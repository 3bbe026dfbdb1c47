-------------------- MODULE MCFailUffdWpConsultVmaLinux6x12 --------------------
(***************************************************************************)
(* MMU_NOTIFY_PROTECTION_VMA on linux-6.12 (docs/protection-vma.md): as          *)
(* MCFailUffdWpConsultVma (linux-7.2), for this release line: the         *)
(* consult-vma listener keeps device write access after UFFDIO_WRITEPROTECT *)
(* (uffd_wp_range -> change_protection(MM_CP_UFFD_WP) write-protects the   *)
(* PTEs, the VMA stays read-write): a device write escapes userfaultfd      *)
(* write-protection.                                                      *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"uffd_wp_range"}
MCRanges == {{1}}
=============================================================================
