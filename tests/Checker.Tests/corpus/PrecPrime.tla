---- MODULE PrecPrime ----
\* ENABLED, UNCHANGED, [] and <> range over 4-15 and the prime is 15: SANY refuses ENABLED x' and
\* UNCHANGED x' ("Precedence conflict between ops ENABLED ... and '").
VARIABLE x
Init == x = 0
Next == x' = 1 - x
Inv == ENABLED x' = 1
====
