---- MODULE RingAbs ----
\* The abstract ring of RingChoose: the token at a natural number 0..N-1, moving down.
EXTENDS Naturals
CONSTANT N
VARIABLE at
Step == at' = (at + N - 1) % N
Spec == at = 0 /\ [][Step]_at /\ WF_at(Step)
====
