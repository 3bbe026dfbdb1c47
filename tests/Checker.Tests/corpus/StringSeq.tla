---------------------------- MODULE StringSeq ----------------------------
(* Strings as sequences of characters: Len, \o, Tail, SubSeq on strings, as  *)
(* TLC's Sequences module evaluates them (strings built during the search).  *)
EXTENDS Sequences, Naturals
VARIABLE s
Init == s = "a"
Next == /\ Len(s) < 5
        /\ s' \in {s \o "b", "c" \o s, Tail(s \o "xy"), SubSeq(s \o "zz", 1, Len(s) + 1), SubSeq(s, 2, 1) \o s}
NoLongWord == Len(s) # 5 \/ SubSeq(s, 1, 3) # "ccb"
==========================================================================
