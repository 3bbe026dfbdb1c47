---- MODULE StrongFairOk ----
\* A request is granted only while a flickering lock is free: weak fairness is not enough
\* (WeakSpec violates Served), strong fairness is (StrongSpec satisfies it).
EXTENDS Naturals
VARIABLES free, req
vars == <<free, req>>
Init == free = TRUE /\ req = FALSE
Flicker == free' = ~free /\ UNCHANGED req
Ask == ~req /\ req' = TRUE /\ UNCHANGED free
Grant == req /\ free /\ req' = FALSE /\ UNCHANGED free
Next == Flicker \/ Ask \/ Grant
WeakSpec == Init /\ [][Next]_vars /\ WF_vars(Flicker) /\ WF_vars(Grant)
StrongSpec == Init /\ [][Next]_vars /\ WF_vars(Flicker) /\ SF_vars(Grant)
Served == req ~> ~req
====
