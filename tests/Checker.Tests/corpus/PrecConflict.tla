---- MODULE PrecConflict ----
\* /\ and \/ have the same precedence (3) and are different operators: SANY refuses to mix them
\* without parentheses or bullets ("Precedence conflict between ops \land ... and \lor").
VARIABLE x
Init == x = 0
Next == x' = x /\ TRUE \/ FALSE
====
