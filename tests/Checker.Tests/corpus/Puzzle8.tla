---- MODULE Puzzle8 ----
\* The 8-puzzle: 9!/2 = 181440 reachable boards. A benchmark model.
EXTENDS Naturals, Sequences
VARIABLE board
Pos == 0..8
Init == board = <<1, 2, 3, 4, 5, 6, 7, 8, 0>>
Blank == CHOOSE i \in 1..9 : board[i] = 0
Adjacent(i, j) == LET r1 == (i - 1) \div 3  c1 == (i - 1) % 3
                      r2 == (j - 1) \div 3  c2 == (j - 1) % 3
                  IN  (r1 = r2 /\ (c1 - c2 = 1 \/ c2 - c1 = 1)) \/ (c1 = c2 /\ (r1 - r2 = 1 \/ r2 - r1 = 1))
Slide(j) == /\ Adjacent(Blank, j)
            /\ board' = [board EXCEPT ![Blank] = board[j], ![j] = 0]
Next == \E j \in 1..9 : Slide(j)
TypeOK == board \in [1..9 -> Pos]
====
