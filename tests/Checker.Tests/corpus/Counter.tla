---- MODULE Counter ----
\* Counts to N and stops: a deadlock at x = N.
EXTENDS Naturals
CONSTANT N
VARIABLE x
Init == x = 0
Next == x < N /\ x' = x + 1
====
