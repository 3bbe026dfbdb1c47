---- MODULE NamedAssume ----
EXTENDS Naturals
CONSTANT N
VARIABLE x
ASSUME Positive == N > 0
THEOREM Doubled == \A y \in 0..N : (y + y) % 2 = 0
PROOF OBVIOUS
ASSUME Doubled
Init == x = IF Positive THEN N ELSE 0
Next == x > 0 /\ x' = x - 1
====
