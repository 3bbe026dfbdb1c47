---- MODULE ActionProp ----
\* A clock that may skip: the action property [][x' = x + 1]_x is violated.
EXTENDS Naturals
VARIABLE x
Init == x = 0
Next == \/ x < 5 /\ x' = x + 1
        \/ x = 3 /\ x' = 5
Spec == Init /\ [][Next]_x
Monotone == [][x' = x + 1]_x
====
