------------------------------ MODULE BoxImplies ------------------------------
\* [](P => F) with P a state predicate: F must hold from every reachable state where P holds
\* (tlaplus/Examples ewd998 Quiescence == [](terminated => []terminated)).
EXTENDS Naturals
VARIABLE x
Init == x = 0
Next == \/ x < 3 /\ x' = x + 1
        \/ x = 3 /\ x' = 1
Spec == Init /\ [][Next]_x /\ WF_x(Next)
Stays == [](x >= 1 => [](x >= 1))
Settles == [](x = 2 => <>[](x >= 1))
Wrong == [](x = 2 => [](x >= 2))  \* violated: 3 -> 1
=============================================================================
