---- MODULE Peterson ----
\* Peterson's mutual exclusion for two processes, as a PlusCal-like translation with pc.
EXTENDS Naturals
VARIABLES flag, turn, pc
vars == <<flag, turn, pc>>
Other(p) == 1 - p
Init == /\ flag = [p \in {0, 1} |-> FALSE]
        /\ turn = 0
        /\ pc = [p \in {0, 1} |-> "ncs"]
ncs(p) == /\ pc[p] = "ncs"
          /\ pc' = [pc EXCEPT ![p] = "set"]
          /\ UNCHANGED <<flag, turn>>
set(p) == /\ pc[p] = "set"
          /\ flag' = [flag EXCEPT ![p] = TRUE]
          /\ pc' = [pc EXCEPT ![p] = "turn"]
          /\ UNCHANGED turn
giveTurn(p) == /\ pc[p] = "turn"
               /\ turn' = Other(p)
               /\ pc' = [pc EXCEPT ![p] = "wait"]
               /\ UNCHANGED flag
wait(p) == /\ pc[p] = "wait"
           /\ (flag[Other(p)] = FALSE \/ turn = p)
           /\ pc' = [pc EXCEPT ![p] = "cs"]
           /\ UNCHANGED <<flag, turn>>
cs(p) == /\ pc[p] = "cs"
         /\ flag' = [flag EXCEPT ![p] = FALSE]
         /\ pc' = [pc EXCEPT ![p] = "ncs"]
         /\ UNCHANGED turn
proc(p) == ncs(p) \/ set(p) \/ giveTurn(p) \/ wait(p) \/ cs(p)
Next == \E p \in {0, 1} : proc(p)
Spec == Init /\ [][Next]_vars
MutualExclusion == ~(pc[0] = "cs" /\ pc[1] = "cs")
TypeOK == /\ flag \in [{0, 1} -> BOOLEAN]
          /\ turn \in {0, 1}
          /\ pc \in [{0, 1} -> {"ncs", "set", "turn", "wait", "cs"}]
====
