----------------------------- MODULE InfiniteElem -----------------------------
\* A set whose elements are infinite sets cannot be normalized: an evaluation error (exit 76: in an invariant, TLC's FAILURE_SAFETY_EVAL), as TLC's
\* "Attempted to enumerate a set of the form [D -> R]", not a crash.
EXTENDS Integers
VARIABLE x
Init == x = 0
Next == x' = 1 - x
Inv == x = 0 \/ [0..1 -> {x}] \in {[0..1 -> Int], [{2} -> Nat]}
=============================================================================
