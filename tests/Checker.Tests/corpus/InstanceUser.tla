---- MODULE InstanceUser ----
\* INSTANCE ... WITH: two buffers from one module, and EXTENDS of a module in the same folder.
EXTENDS Naturals, Lib
VARIABLES q1, q2
B1 == INSTANCE Helper WITH buf <- q1, Cap <- 2
B2 == INSTANCE Helper WITH buf <- q2, Cap <- Three
Init == B1!HInit /\ B2!HInit
Next == \/ \E v \in {0, 1} : B1!Put(v) /\ UNCHANGED q2
        \/ B1!Get /\ UNCHANGED q2
        \/ \E v \in {0, 1} : B2!Put(Double(v)) /\ UNCHANGED q1
        \/ B2!Get /\ UNCHANGED q1
Inv == B1!Ok /\ B2!Ok
====
