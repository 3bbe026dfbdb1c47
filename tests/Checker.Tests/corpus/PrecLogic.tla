---- MODULE PrecLogic ----
\* Precedence of the logical and temporal prefix operators: ~ (4) takes x = 5 (5) but not /\ (3);
\* ENABLED, UNCHANGED, [] and <> (4-15) apply before /\, \/, =>, ~> (1-3); quantifier bodies extend
\* as far as possible.
EXTENDS Naturals
VARIABLES x, y
vars == <<x, y>>
Init == x = 0 /\ y = 0
IncX == x < 3 /\ x' = x + 1 /\ UNCHANGED y
IncY == y < 2 /\ y' = y + 1 /\ UNCHANGED x
Next == IncX \/ IncY
Spec == Init /\ [][Next]_vars /\ WF_vars(Next)
Inv == /\ ~ x = 5
       /\ ~ x > 3 => TRUE
       /\ ENABLED IncX => x < 3
       /\ \A i \in 0..x : i <= x /\ i >= 0
       /\ ~ ENABLED IncY \/ y < 2
Live == /\ <>[](x = 3) /\ ~ <>(x = 4)
        /\ [](x = 1) => FALSE
        /\ x = 0 ~> x = 3 /\ y = 2
====
