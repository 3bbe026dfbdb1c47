---- MODULE ParamShadow ----
\* Operator parameters named like a symbol in scope: SANY's "Multiply-defined symbol" for Len (Sequences) at
\* line 6, col 3 and for x (the VARIABLE) at line 7, col 15; the first is reported.
EXTENDS Naturals, Sequences
VARIABLE x
G(Len) == 1
H(y) == LET K(x) == x IN K(y)
Init == x = 0
Next == UNCHANGED x
====
