------------------------------ MODULE ScopedSub ------------------------------
\* Name <- [M]Def in the configuration replaces the definition of Name in module M, also where M is
\* instanced; Name <- Def replaces it in this module only (tlaplus/Examples MCPaxosTiny: Ballot).
EXTENDS Naturals
VARIABLE x
B == Nat
I == INSTANCE ScopedSubInner
MCB == {5}
MCInnerB == {1, 2}
Init == x = 0
Step == \E b \in B : x < 8 /\ x' = x + 10 * b
Next == I!Next \/ Step
Spec == Init /\ [][Next]_x
=============================================================================
