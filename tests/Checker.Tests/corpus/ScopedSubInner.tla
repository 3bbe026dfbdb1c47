--------------------------- MODULE ScopedSubInner ---------------------------
\* Instanced by ScopedSub, whose configuration replaces B here by [ScopedSubInner]MCInnerB.
EXTENDS Naturals
VARIABLE x
B == Nat
Next == \E b \in B : x < 8 /\ x' = x + b
=============================================================================
