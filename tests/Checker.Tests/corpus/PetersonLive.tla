---- MODULE PetersonLive ----
\* Peterson's algorithm is starvation-free under weak fairness of each process.
EXTENDS Peterson
FairSpec == Spec /\ \A p \in {0, 1} : WF_vars(proc(p))
NoStarvation == \A p \in {0, 1} : (pc[p] = "wait") ~> (pc[p] = "cs")
====
