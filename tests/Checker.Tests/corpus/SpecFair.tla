---- MODULE SpecFair ----
\* SPECIFICATION with fairness and a state property []P (checked as an invariant).
EXTENDS Naturals
VARIABLE x
vars == <<x>>
Init == x = 0
Next == x' = (x + 1) % 3
Spec == Init /\ [][Next]_vars /\ WF_vars(Next)
Safe == [](x < 3)
====
