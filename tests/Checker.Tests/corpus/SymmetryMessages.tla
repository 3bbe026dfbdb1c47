---- MODULE SymmetryMessages ----
\* Symmetric processes and values exchanging messages (records in a set), with functions keyed by
\* processes, a set of pairs and a sequence of model values: SYMMETRY over two sets of model values.
EXTENDS Naturals, Sequences, FiniteSets, TLC
CONSTANTS Procs, Vals, none
VARIABLES msgs, chosen, votes, log
Init == /\ msgs = {}
        /\ chosen = [p \in Procs |-> none]
        /\ votes = {}
        /\ log = <<>>
Propose(p, v) == /\ chosen[p] = none
                 /\ msgs' = msgs \cup {[type |-> "prop", from |-> p, val |-> v]}
                 /\ chosen' = [chosen EXCEPT ![p] = v]
                 /\ UNCHANGED <<votes, log>>
Vote(p, q) == /\ \E m \in msgs : m.type = "prop" /\ m.from = q
              /\ <<p, q>> \notin votes
              /\ Len(log) < 3
              /\ votes' = votes \cup {<<p, q>>}
              /\ msgs' = msgs \cup {[type |-> "vote", from |-> p, to |-> q]}
              /\ log' = Append(log, p)
              /\ UNCHANGED chosen
Next == \/ \E p \in Procs, v \in Vals : Propose(p, v)
        \/ \E p, q \in Procs : Vote(p, q)
Sym == Permutations(Procs) \cup Permutations(Vals)
Inv == Cardinality({p \in Procs : chosen[p] /= none}) <= Cardinality(Procs)
Few == Cardinality(votes) < 3
====
