---------------------------- MODULE ScopedValueLib ----------------------------
\* Instanced by ScopedValue, whose configuration gives NoVal a model value: NoVal = [ScopedValueLib]nv.
EXTENDS Naturals
NoVal == CHOOSE v : v \notin 0..3
=============================================================================
