---- MODULE PrecSetOps ----
\* Precedence of the prefix set operators UNION, SUBSET, DOMAIN (SANY: 10-13) against infix set operators
\* (\cup \cap \ at 8, .. at 9): all of them apply to their operand first, so UNION S \cup UNION T is
\* (UNION S) \cup (UNION T) (tlaplus/Examples' allocator). Read the other way, these sets differ or fail.
EXTENDS Naturals
VARIABLES u, s, d
S == {{1}, {2}}
T == {{3}}
f == [i \in 1..2 |-> i]
Init == u = {} /\ s = {} /\ d = 0
AddU == \E e \in UNION S \cup UNION T : u' = u \cup {e} /\ UNCHANGED <<s, d>>
TakeS == \E e \in SUBSET {1, 2} \cup {{3}} : s' = e /\ UNCHANGED <<u, d>>
StepD == \E e \in DOMAIN f \cup {5} : d' = e /\ UNCHANGED <<u, s>>
Next == AddU \/ TakeS \/ StepD
Inv == /\ UNION S \cup {7} = {1, 2, 7}
       /\ SUBSET {1} \ {{}} = {{1}}
       /\ DOMAIN f \cap {2, 3} = {2}
       /\ u \subseteq 1..3
====
