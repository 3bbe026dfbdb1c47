---- MODULE ConcatNotString ----
\* "ab" \\o 1 in the next-state relation: TLC's EC.TLC_MODULE_EVALUATING, exit 255
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => Len("ab" \o 1) = 3)
====
