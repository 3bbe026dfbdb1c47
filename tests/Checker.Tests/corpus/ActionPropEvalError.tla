---- MODULE ActionPropEvalError ----
\* an action property that fails to evaluate: "Evaluating action property AP failed.", the trace ends in the step's new state, exit 255 (\\div)
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4
Spec == Init /\ [][Next]_x
AP == [][x' = 3 => x \div (x - 2) > 0]_x
====
