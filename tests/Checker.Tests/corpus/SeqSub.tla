------------------------------- MODULE SeqSub -------------------------------
\* Seq <- Bounded in the configuration replaces the standard operator Seq also inside INSTANCE SeqSubInner,
\* as TLC (tlaplus/Examples MCMajority: Seq <- BoundedSeq with INSTANCE Majority).
EXTENDS Naturals
CONSTANT K
VARIABLE s
Bounded(S) == UNION {[1 .. n -> S] : n \in 0 .. K}
INSTANCE SeqSubInner
=============================================================================
