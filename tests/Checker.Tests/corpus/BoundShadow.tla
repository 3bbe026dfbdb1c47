---- MODULE BoundShadow ----
\* A bound variable named like a VARIABLE in scope: SANY's "Multiply-defined symbol 'x'" at line 8, col 12.
\* A bound name equal to a later definition (y below) or to the LET definition it defines is allowed.
EXTENDS Naturals
VARIABLE x
Init == x = 0 /\ \A y \in 1..2 : LET z == CHOOSE z \in {y} : TRUE IN z > 0
y == 3
Next == \E x \in 1..2 : x' = x
====
