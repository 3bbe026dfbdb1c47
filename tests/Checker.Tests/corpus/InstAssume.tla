------------------------------ MODULE InstAssume ------------------------------
\* TLC checks the assumptions of the root module and the modules it extends, not those of an INSTANCE, named
\* or not (tlaplus/Examples Nano: N == INSTANCE Nano with ASSUME \A data, oldHash, newHash : ...).
EXTENDS Naturals
CONSTANT K
VARIABLE x
N == INSTANCE InstAssumeLib
INSTANCE InstAssumeLib
ASSUME K = 1
Init == x = 0
Next == x < N!Twice + Twice /\ x' = x + 1
=============================================================================
