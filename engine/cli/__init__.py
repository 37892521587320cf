"""The ``opspec`` command line: Terraform's verbs over opspec projects.

``main`` parses arguments with argparse and imports the engine only inside the command that
needs it, so ``opspec --help`` starts in well under half a second. Exit codes follow Terraform:
0 success (or no changes), 1 error (including policy denial), 2 success with changes when
``--detailed-exitcode`` is given. Family subcommands (``opspec monitor ...``) register through
the ``opspec.commands`` entry-point group, so the command line names no provider family.
"""
