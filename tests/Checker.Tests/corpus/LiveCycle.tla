---- MODULE LiveCycle ----
\* A counter cycling 0..2: []<>(x = 0) needs weak fairness, which LiveSpec has and NoFairSpec lacks.
EXTENDS Naturals
VARIABLE x
vars == <<x>>
Init == x = 0
Next == x' = (x + 1) % 3
LiveSpec == Init /\ [][Next]_vars /\ WF_vars(Next)
NoFairSpec == Init /\ [][Next]_vars
OftenZero == []<>(x = 0)
EventuallyTwo == <>(x = 2)
====
