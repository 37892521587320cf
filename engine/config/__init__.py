"""Configuration: reading a project's ``*.ops.yaml`` files into blocks with source positions.

:func:`~engine.config.loader.load_project` reads every ``*.ops.yaml`` directly in the project
directory (like Terraform's ``*.tf``), keeps the YAML position of every node so diagnostics can
point at ``file:line:col``, and returns a :class:`~engine.config.model.Config` of variables,
locals, resources, outputs and per-family provider settings. Nothing is evaluated here.
"""
