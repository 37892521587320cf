"""Job functions of the ML family: what runs in a child process.

Planning never imports these modules: this is the one place where pandas, scikit-learn, torch
and MLflow are imported. The apply-time jobs run through ``ctx.run_job`` (``python -m
engine.jobs.child``); their functions take and return JSON values, and artifacts pass as
folder paths inside the store.

- :mod:`.data`              read a dataset snapshot and its deterministic train/test split
- :mod:`.profile`           rows, columns and types of a snapshot
- :mod:`.train`             fit a scikit-learn estimator or call a user's torch function
- :mod:`.predict`           load a trained model for prediction, whatever its framework
- :mod:`.evaluate`          measure metrics of a model on a dataset
- :mod:`.register`          register a model version in MLflow, or remove this resource's ones
- :mod:`.torch_api`         what a user's torch function receives
- :mod:`.estimator_params`  check an estimator's params at plan time, in a child of the plan
"""
