---- MODULE BoundShadowDef ----
\* A bound variable named like a definition in scope (N): SANY's "Multiply-defined symbol 'N'" at line 7, col 15.
EXTENDS Naturals
VARIABLE y
N == 3
Init == y = 0
Next == y' = {N \in 1..2 : N > 1}
====
