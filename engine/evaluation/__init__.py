"""Evaluation: variable values, and the scope of values expressions read during plan and apply.

Plan and apply evaluate resources the same way (apply re-evaluates each resource once its
dependencies have their final values), so this package is shared by both.
"""
