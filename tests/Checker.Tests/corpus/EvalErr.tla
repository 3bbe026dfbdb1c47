---- MODULE EvalErr ----
\* Applying a function outside its domain is an evaluation error.
EXTENDS Naturals
VARIABLE x
f == [i \in 0..2 |-> i]
Init == x = 0
Next == x' = f[x + 1]
====
