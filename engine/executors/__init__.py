"""Executors other than the embedded local one (which is :mod:`engine.apply`)."""
