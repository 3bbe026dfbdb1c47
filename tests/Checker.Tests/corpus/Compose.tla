---- MODULE Compose ----
\* Action composition A \cdot B (TLC with -Dtlc2.tool.impl.Tool.cdot=true): s -A-> t -B-> u. TLC also
\* evaluates the conjuncts after A \cdot B between s and each t, and counts each t in "states generated".
EXTENDS Naturals, TLC
ASSUME TLCGet("-Dtlc2.tool.impl.Tool.cdot") = "true"
ASSUME TLCGet("-Dsome.unset.property") = "-Dsome.unset.property"
VARIABLE x, y
Init == x = 0 /\ y = 0
Inc == x' = x + 1 /\ y' = y
Both == x' \in {x + 1, x + 2} /\ y' = y
Dbl == x' = 2 * x /\ y' = y + 1
Next == \/ Inc /\ x < 6
        \/ (Both \cdot Dbl) /\ x' < 20
Steps == [][Inc \/ (Both \cdot Dbl)]_<<x, y>>
Doubled == [][(y' = y + 1) => (Both \cdot Dbl)]_<<x, y>>
Wrong == [][(y' = y + 1) => (Inc \cdot Dbl)]_<<x, y>>
Small == x < 30
Bounded == x < 14
====
