---------------------------- MODULE SeqSubInner ----------------------------
\* Instanced by SeqSub, whose configuration replaces Seq (of Sequences) by a bounded version.
EXTENDS Naturals, Sequences
VARIABLE s
Init == s \in Seq({0, 1})
Next == \/ Len(s) > 0 /\ s' = Tail(s)
        \/ \E t \in Seq({0, 1}) : Len(t) = 2 /\ s = << >> /\ s' = t
TypeOK == s \in Seq({0, 1})
=============================================================================
