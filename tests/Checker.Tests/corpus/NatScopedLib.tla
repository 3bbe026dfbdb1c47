---------------------------- MODULE NatScopedLib ----------------------------
\* Used by NatScoped, whose configuration replaces Nat by [NatScopedLib]MyNat.
LOCAL INSTANCE Naturals
Evens == {n \in Nat : n % 2 = 0}
=============================================================================
