---- MODULE InitPropEvalError ----
\* a PROPERTY that is a state predicate failing to evaluate on the initial state: exit 75, as an error in Init
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4
Spec == Init /\ [][Next]_x
IP == x \div x = 1
====
