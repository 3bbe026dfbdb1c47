------------------------------ MODULE ScopedValue ------------------------------
\* Name = [M]v in the configuration gives the definition Name of module M a value, also where M is
\* instanced (tlaplus/Examples MCNano: NoHash = [Nano]NoHashVal; the unbounded CHOOSE is not evaluated).
EXTENDS Naturals
VARIABLE x
I == INSTANCE ScopedValueLib
Init == x = 0
Next == x' = IF x = I!NoVal THEN 0 ELSE IF x < 3 THEN x + 1 ELSE I!NoVal
=============================================================================
