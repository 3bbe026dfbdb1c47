------------------------------ MODULE NatScoped ------------------------------
\* Nat <- [M]Def for a standard module's operator that module M instances (LOCAL INSTANCE Naturals), as
\* TLC (tlaplus/Examples MCLeastCircularSubstring: Nat <- [ZSequences]ZSeqNat): it replaces Nat everywhere,
\* also here (7 is not in Nat).
EXTENDS Naturals, NatScopedLib
VARIABLE x
MyNat == 0 .. 5
Init == x = 0
Next == \E n \in Evens \cup {m \in Nat : m = 7} : x' = n
=============================================================================
