---- MODULE RecursiveDecl ----
EXTENDS Naturals
VARIABLE x
RECURSIVE F(_), G(_)
F(n) == IF n = 0 THEN 0 ELSE G(n - 1)
G(n) == IF n = 0 THEN 1 ELSE F(n - 1)
f[n \in 0..5] == IF n = 0 THEN 0 ELSE f[n - 1] + 1
Init == x = F(3) + f[4]
Next == UNCHANGED x
====
