---- MODULE AssumeEvalError ----
\* An ASSUME that fails to evaluate: TLC's EC.TLC_ASSUMPTION_EVALUATION_ERROR, exit 10 (not 75)
EXTENDS Sequences, Naturals
VARIABLE x
ASSUME Head(<<>>) > 0
Init == x = 0
Next == x' = x
====
