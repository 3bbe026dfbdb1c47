---- MODULE LambdaInst ----
\* A LAMBDA substituted for a constant operator Ok(_, _) of an instanced module (SANY allows LAMBDA only
\* there and as an operator argument): it sees the instantiating module's definitions (Limit).
EXTENDS Naturals
VARIABLE x, steps
Limit == 10
INSTANCE LambdaLib WITH Ok <- LAMBDA v, d : v + d <= Limit /\ d # 2, Bound <- Limit
FewSteps == steps < 4
====
