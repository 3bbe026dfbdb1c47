---- MODULE ForwardRef ----
EXTENDS Naturals
VARIABLE x
A == B + 1
B == 2
Init == x = A
Next == UNCHANGED x
====
