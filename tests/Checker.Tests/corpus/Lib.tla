---- MODULE Lib ----
EXTENDS Naturals
Three == 3
Double(x) == 2 * x
====
