"""Core resource types: ``null``, ``file`` and ``command``.

They need no heavy library and exercise every part of the engine (triggers and replacement,
drift detected by ``read``, side effects only during apply). Each module holds one provider
class, registered in the ``opspec.providers`` entry-point group; this package imports none of
them, so a job's child process (see :mod:`providers.core.shell`) starts light.
"""
