---------------------------- MODULE InstAssumeLib ----------------------------
\* Instanced by InstAssume: its assumption is not checked by TLC.
EXTENDS Naturals
CONSTANT K
ASSUME K = 2
Twice == 2 * K
=============================================================================
