"""Evaluation: the values expressions read, computed the same way by plan and by apply.

Apply evaluates each resource again once its dependencies hold their final values, and must
get what plan would have got with those values, so the steps live here, shared by both:
:mod:`.variables` (values from defaults, ``OPSPEC_VAR_*``, var files and ``--var``,
type-checked), :mod:`.references` (static checks of every reference, and the edges they make,
before anything is evaluated), :mod:`.instances` (``for_each`` expansion and an instance's
inputs) and :mod:`.scope` (the values expressions read, with their sensitivity).
"""
