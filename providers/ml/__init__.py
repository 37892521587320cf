"""ML pipelines: datasets, training jobs, evaluation gates and a model registry.

The family exists so that a model is a function of its data, code and params: a dataset is
snapshotted under its content hash at plan time, so a plan already knows which jobs retrain
and why, training and evaluation are cached by content (:class:`engine.providers.CachedJob`),
and a registered version carries its lineage. Four resource types, registered through the
``opspec.providers`` entry points::

    dataset.iris:            providers.ml.dataset:DatasetProvider
      source: sklearn:iris     (or path: data/x.csv | pkg:DIST/PATH)
      split: {test: 0.2}
    training_job.clf:        providers.ml.training_job:TrainingJobProvider
      framework: sklearn
      dataset: ${dataset.iris.uri}
      target: target
      estimator: sklearn.ensemble.RandomForestClassifier
      params: {n_estimators: 50}
    evaluation.clf:          providers.ml.evaluation:EvaluationProvider
      model: ${training_job.clf.model_uri}
      dataset: ${dataset.iris.uri}
      gates: {accuracy: ">= 0.9"}
    model.iris:              providers.ml.model:ModelProvider
      name: iris-classifier
      artifact: ${training_job.clf.model_uri}
      metrics: ${evaluation.clf.scores}
      aliases: [champion]

The file set is the one every family repeats: one module per type (above); :mod:`.jobs`, all
that runs in a child process and the only place pandas, scikit-learn, torch and MLflow are
imported; :mod:`.errors`, the family's exceptions. The helpers the types share, all plan-time
and standard-library only: :mod:`.sources` (where a dataset's bytes come from),
:mod:`.snapshot` (its manifest and URI), :mod:`.catalog` (what a URI tells without loading),
:mod:`.estimators` (the estimator allow-list), :mod:`.usercode` (a torch function's
fingerprint), :mod:`.lineage` (how a model was made), :mod:`.registry_db` (reading MLflow's
SQLite registry), :mod:`.cache_parts` (library versions in cache keys) and :mod:`.diff`.
"""
