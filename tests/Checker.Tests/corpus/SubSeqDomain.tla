---- MODULE SubSeqDomain ----
\* SubSeq beyond its sequence in the next-state relation: the third argument, EC.TLC_MODULE_ARGUMENT_NOT_IN_DOMAIN, exit 255
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => SubSeq(<<1, 2>>, 1, x + 3) = <<>>)
====
