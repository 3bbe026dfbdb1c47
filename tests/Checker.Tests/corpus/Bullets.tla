---- MODULE Bullets ----
\* Indentation decides nesting of /\ and \/ lists.
EXTENDS Naturals
VARIABLES a, b
Init == /\ a \in 0..2
        /\ b \in 0..2
Next == \/ /\ a < 2
           /\ a' = a + 1
           /\ b' = b
        \/ /\ b < 2
           /\ \/ b' = b + 1
              \/ b' = 0
           /\ a' = a
Inv == \/ a + b <= 4
       \/ /\ a = 2
          /\ b = 2
          /\ FALSE
====
