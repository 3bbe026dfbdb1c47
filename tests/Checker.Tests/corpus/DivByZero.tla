---- MODULE DivByZero ----
\* x \\div 0 in the next-state relation: EC.TLC_MODULE_DIVISION_BY_ZERO, exit 255
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => x \div (x - 2) > 0)
====
