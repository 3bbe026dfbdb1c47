---- MODULE Bounded ----
\* Unbounded counters cut by CONSTRAINT, steps cut by ACTION_CONSTRAINT.
EXTENDS Integers
VARIABLES x, y
Init == x = 0 /\ y = 0
Next == \/ x' = x + 1 /\ y' = y
        \/ x' = x /\ y' = y - 1
        \/ x' = x - y /\ y' = y + 2
InRange == x \in -3..3 /\ y \in -3..3
NoBigJump == x' - x < 3 /\ x - x' < 3
Inv == x + y < 5
====
