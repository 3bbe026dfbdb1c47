-------------------- MODULE MCUffdWpWriteProtectSafe --------------------
(***************************************************************************)
(* The counterpart of MCFailUffdWpConsultVma: a listener that write-protects *)
(* its mirror on MMU_NOTIFY_PROTECTION_VMA (whatever the VMA says) is safe  *)
(* under UFFDIO_WRITEPROTECT on Linux 7.2.                                  *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_NOTIFY_PROTECTION_VMA", "write-protect")]]
MCSites  == {"uffd_wp_range"}
MCRanges == {{1}, {1, 2}}
=============================================================================
