---- MODULE SelfRef ----
EXTENDS Naturals
VARIABLE x
F(n) == IF n = 0 THEN 0 ELSE F(n - 1)
Init == x = F(3)
Next == UNCHANGED x
====
