---- MODULE SymmetryTokens ----
\* Tokens passed among symmetric processes: SYMMETRY reduces the state space.
EXTENDS Naturals, TLC
CONSTANT Procs
VARIABLES holder, count
Init == holder \in Procs /\ count = [p \in Procs |-> 0]
Pass(p, q) == /\ holder = p /\ p /= q
              /\ count[p] < 2
              /\ holder' = q
              /\ count' = [count EXCEPT ![p] = @ + 1]
Next == \E p, q \in Procs : Pass(p, q)
Sym == Permutations(Procs)
Inv == \A p \in Procs : count[p] <= 2
====
