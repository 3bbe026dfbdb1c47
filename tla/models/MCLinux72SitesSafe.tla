-------------------- MODULE MCLinux72SitesSafe --------------------
(***************************************************************************)
(* The Linux 7.2 call sites added for issue 12 (NUMA hinting, PAGEMAP_SCAN,*)
(* UFFDIO_WRITEPROTECT, UFFDIO_MOVE) with a zap, for a listener that       *)
(* unmaps on MMU_NOTIFY_PROTECTION_VMA instead of consulting the VMA       *)
(* (docs/protection-vma.md): every rule holds.                             *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> Override(e, "MMU_NOTIFY_PROTECTION_VMA", "unmap")]]
MCSites  == {"change_prot_numa", "do_pagemap_scan", "uffd_wp_range", "move_pages_ptes", "zap_page_range"}
MCRanges == {{1}, {2}}
=============================================================================
