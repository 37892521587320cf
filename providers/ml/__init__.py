"""ML pipelines: datasets, training jobs, evaluation gates and a model registry.

Four resource types, registered through the ``opspec.providers`` entry points::

    dataset.iris:            providers.ml.dataset:DatasetProvider
      source: sklearn:iris     (or path: data/x.csv | pkg:DIST/PATH)
      split: {test: 0.2}
    training_job.clf:        providers.ml.training:TrainingJobProvider
      framework: sklearn
      dataset: ${dataset.iris.uri}
      target: target
      estimator: sklearn.ensemble.RandomForestClassifier
      params: {n_estimators: 50}
    evaluation.clf:          providers.ml.evaluation:EvaluationProvider
      model: ${training_job.clf.model_uri}
      dataset: ${dataset.iris.uri}
      gates: {accuracy: ">= 0.9"}
    model.iris:              providers.ml.registry:ModelProvider
      name: iris-classifier
      artifact: ${training_job.clf.model_uri}
      metrics: ${evaluation.clf.scores}
      aliases: [champion]

Planning reads and hashes files with the standard library only; scikit-learn is imported at plan
time only to validate an estimator's changed params; pandas, torch and MLflow are imported only
by the job functions in :mod:`providers.ml.jobs`, which run in child processes during apply.
Training and evaluation results are cached by content (:class:`engine.providers.CachedJob`).
"""
