---- MODULE LateConst ----
\* Nat <- NatOverride (as tlaplus/Examples MCBoulanger): NatOverride is compiled after the uses of Nat, so
\* [1..2 -> Nat] and Nat \cup {-1} are found constant at their first evaluation and kept (LateConstN).
EXTENDS Integers
CONSTANT Max
VARIABLE f
NatOverride == 0..Max
Init == f = [i \in 1..2 |-> 0]
Next == \E i \in 1..2 : f[i] < Max /\ \E k \in Nat : f' = [f EXCEPT ![i] = k]
TypeOK == /\ f \in [1..2 -> Nat]
          /\ \A i \in 1..2 : f[i] \in Nat \cup {-1}
Bounded == \A i \in 1..2 : f[i] + 1 \in Nat
====
