---- MODULE LateConstState ----
\* The configuration's Lim <- Dyn replaces a constant definition by one that reads a variable: Lim \cup {99} must
\* be evaluated in every state (checker/evaluation/Nodes.cs LateConstN decides at its first evaluation that it is
\* not constant). Kept once instead, it would stay {0, 99} and Inv would fail at x = 1.
EXTENDS Naturals
VARIABLE x
Lim == {0}
Dyn == 0..x
Init == x = 0
Next == x < 3 /\ x' = x + 1
Inv == x \in Lim \cup {99}
====
