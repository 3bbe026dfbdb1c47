------------------------------- MODULE BoxProp -------------------------------
\* A PROPERTY []P with P a state predicate is checked by TLC as an invariant (exit 12, "Invariant Small is
\* violated", named after P): tlaplus/Examples ACP_NB_WRONG_TLC's AC1.
EXTENDS Naturals
VARIABLE x
Init == x \in {0, 1}
Next == x < 5 /\ x' = x + 1
Small == x <= 2
Spec == Init /\ [][Next]_x
Safe == []Small
=============================================================================
