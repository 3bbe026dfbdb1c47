---- MODULE LambdaLib ----
EXTENDS Naturals
CONSTANT Ok(_, _), Bound
VARIABLE x, steps
Init == x = 0 /\ steps = 0
Next == \E d \in 1..3 : Ok(x, d) /\ x' = x + d /\ steps' = steps + 1
Inv == x <= Bound
====
