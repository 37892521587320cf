"""Core resource types: ``null``, ``file`` and ``command``.

They need no library beyond the standard one and exercise every part of the engine: triggers
and replacement (``null``), drift detected by ``read`` (``file``), and side effects only during
apply, in a child process (``command``). The file set is the one every family repeats:

- :mod:`.null`, :mod:`.file`, :mod:`.command`  one provider class per resource type, each
  registered in the ``opspec.providers`` entry-point group
- :mod:`.jobs`    what runs in a child process (``command``'s shell)
- :mod:`.errors`  the family's apply-time failures, under :class:`engine.errors.OpspecError`

This package imports none of its modules, so a job's child process starts light.
"""
