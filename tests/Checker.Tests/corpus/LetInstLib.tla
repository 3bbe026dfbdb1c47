---- MODULE LetInstLib ----
EXTENDS Naturals
CONSTANT Max
VARIABLE x
Allowed(n) == n <= Max
Step == Allowed(x + 1) /\ x' = x + 1
====
