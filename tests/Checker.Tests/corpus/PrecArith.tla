---- MODULE PrecArith ----
\* Precedence of prefix minus (SANY: -. 12) against % (10-11, so -x % 3 is (-x) % 3), * and ^ (13, 14:
\* - 2 ^ 2 is -(2 ^ 2)), and of + (10) against - (11): a + b - c is a + (b - c), a - b + c is (a - b) + c.
EXTENDS Integers
VARIABLES x, y
Init == x = 0 /\ y = 0
Next == /\ x < 4
        /\ x' = x + 1
        /\ y' = (-x % 3) + - 2 ^ 2 * 1 + 10 - x + 1
Inv == /\ -x % 3 \in 0..2
       /\ - 2 ^ 2 = -4
       /\ -3 % 2 = 1
       /\ 7 % 4 * 2 = 7
       /\ 1 .. - 1 = {}
       /\ y >= 0
====
