---- MODULE InstBox ----
\* [][L!Next]_L!vars: an instance's definitions as the action and the subscript (tlaplus/Examples EWD998PCal).
\* A record is not in the empty interval DOMAIN <<>> (TLC's IntervalValue.member: no error when empty).
EXTENDS Naturals
VARIABLE x, y
L == INSTANCE InstBoxLib
ASSUME [t |-> 1] \notin DOMAIN <<>>
Init == L!Init /\ y = 0
Next == \/ L!Next /\ UNCHANGED y
        \/ UNCHANGED x /\ y' = 1 - y
Refines == L!Init /\ [][L!Next]_L!vars
Frozen == [][FALSE]_L!vars
====
