"""Job functions of the ML family: what runs in a child process (``ctx.run_job``).

Each module is imported only by ``python -m engine.jobs.child`` during apply, never by planning:
this is the one place where pandas, scikit-learn, torch and MLflow are imported. Functions take
and return JSON values; artifacts pass as folder paths inside the store.

- :mod:`.data`      read a dataset snapshot and its deterministic train/test split
- :mod:`.profile`   rows, columns and types of a snapshot
- :mod:`.train`     fit a scikit-learn estimator or call a user's torch function
- :mod:`.predict`   load a trained model for prediction, whatever its framework
- :mod:`.evaluate`  measure metrics of a model on a dataset
- :mod:`.register`  register a model version in MLflow, or remove this resource's versions
- :mod:`.torch_api` what a user's torch function receives
"""
