---- MODULE MutexBroken ----
\* A "check then set" lock without atomicity: mutual exclusion is violated.
EXTENDS Naturals
CONSTANT Procs
VARIABLES locked, pc
Init == locked = FALSE /\ pc = [p \in Procs |-> "idle"]
Check(p) == /\ pc[p] = "idle" /\ ~locked
            /\ pc' = [pc EXCEPT ![p] = "checked"] /\ UNCHANGED locked
Take(p) == /\ pc[p] = "checked"
           /\ locked' = TRUE /\ pc' = [pc EXCEPT ![p] = "cs"]
Leave(p) == /\ pc[p] = "cs"
            /\ locked' = FALSE /\ pc' = [pc EXCEPT ![p] = "idle"]
Next == \E p \in Procs : Check(p) \/ Take(p) \/ Leave(p)
Mutex == \A p, q \in Procs : p /= q => ~(pc[p] = "cs" /\ pc[q] = "cs")
====
