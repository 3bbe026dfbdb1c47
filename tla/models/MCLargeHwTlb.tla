-------------------- MODULE MCLargeHwTlb --------------------
(***************************************************************************)
(* Long run: a dmirror and a hardware secondary TLB, contents {0, 1}.       *)
(***************************************************************************)
EXTENDS NotifierSpec
MCPolicy == [d \in Devices |-> [e \in AllEvents |-> CorrectReaction(e)]]
MCSites  == {"zap_page_range", "migrate_pages", "change_protection", "clear_refs_write", "copy_page_range", "wp_page_copy"}
MCRanges == {{1}, {1, 2}}
=============================================================================
