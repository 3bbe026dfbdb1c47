-------------------- MODULE MCLargeHwTlb --------------------
(***************************************************************************)
(* Long run: a dmirror and a hardware secondary TLB, contents {0, 1}.  No   *)
(* clear_refs: a write through the secondary TLB inside its allowed flush   *)
(* window escapes soft-dirty tracking (as a write through a stale CPU TLB   *)
(* entry would); SoftDirtyComplete has no window.                           *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "migrate_pages", "change_protection", "copy_page_range", "wp_page_copy"}
MCRanges == {{1}, {1, 2}}
=============================================================================
