-------------------- MODULE MCFailPagemapScanConsultVma --------------------
(***************************************************************************)
(* MMU_NOTIFY_PROTECTION_VMA on Linux 7.2 (docs/protection-vma.md):       *)
(* PAGEMAP_SCAN with PM_SCAN_WP_MATCHING (fs/proc/task_mmu.c               *)
(* do_pagemap_scan -> make_uffd_wp_pte) write-protects the PTEs and leaves *)
(* the VMA read-write; a listener that consults the VMA keeps device write *)
(* access: a device write escapes the asynchronous write-protection.       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"do_pagemap_scan"}
MCRanges == {{1}}
=============================================================================
