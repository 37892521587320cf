"""What a pull request's files can make opspec import (issue 11, items 9 and 13): a project
module named like a library never shadows it in a job, only jobs that run a user's
``module:function`` see the project at all, and a plan imports only estimator modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from canary_project import CanaryProject

from engine.errors import JobError
from engine.jobs.runner import run_job

SHADOW = """\
import pathlib
pathlib.Path(__file__).with_name("SHADOWED").write_text("the project's pandas.py ran")
raise ImportError("the project's pandas.py ran")
"""


def test_a_project_module_named_like_a_library_does_not_run_in_a_job(tmp_path: Path) -> None:
    project = CanaryProject(tmp_path, "resources:\n  dataset.iris: {source: 'sklearn:iris'}\n", {})
    (project.root / "pandas.py").write_text(SHADOW)
    project.run("apply", "--auto-approve")
    assert not (project.root / "SHADOWED").exists()
    log = next((project.root / ".opspec" / "runs").rglob("log.txt")).read_text()
    assert "pandas.py ran" not in log


def test_only_a_job_that_runs_user_code_sees_the_project(tmp_path: Path) -> None:
    (tmp_path / "userjob.py").write_text("def where():\n    return __file__\n")
    (tmp_path / "json.py").write_text(SHADOW)
    runs = tmp_path / ".opspec" / "runs"
    with pytest.raises(JobError, match="No module named 'userjob'"):
        run_job(runs, "job.a", "userjob:where", {}, cwd=tmp_path)
    found = run_job(runs, "job.b", "userjob:where", {}, cwd=tmp_path, code_dir=tmp_path)
    assert found.value == str(tmp_path / "userjob.py")
    assert not (tmp_path / "SHADOWED").exists()  # json stays the library's, even then


def test_project_files_named_like_opspec_packages_shadow_none_of_them(tmp_path: Path) -> None:
    """An editable install finds opspec's packages only after ``sys.path``: the job imports
    them, and every registered provider package, before the project joins it."""
    (tmp_path / "userjob.py").write_text(
        "def where():\n"
        "    import providers.core.null, specs.core\n"
        "    return [providers.core.null.__file__, specs.core.__file__]\n"
    )
    (tmp_path / "specs.py").write_text(SHADOW)
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "__init__.py").write_text(SHADOW)
    runs = tmp_path / ".opspec" / "runs"
    found = run_job(runs, "job.a", "userjob:where", {}, cwd=tmp_path, code_dir=tmp_path)
    assert not (tmp_path / "SHADOWED").exists()
    assert not (tmp_path / "providers" / "SHADOWED").exists()
    assert [Path(f).parts[-2:] for f in found.value] == [("core", "null.py"), ("specs", "core.py")]
    assert not any(Path(f).is_relative_to(tmp_path) for f in found.value)


_IMPORTS = """\
import json, sys
from providers.ml.estimators import validate_estimator
failures = validate_estimator(sys.argv[1], {})
print(json.dumps({"failures": [f.reason for f in failures],
                  "imported": sys.argv[2] in sys.modules}))
"""


@pytest.mark.parametrize(
    ("estimator", "module"),
    [
        ("sklearn.datasets.load_iris", "sklearn.datasets"),
        ("sklearn.experimental.enable_halving_search_cv.X", "sklearn.experimental"),
        ("sklearn.linear_model._base.LinearRegression", "sklearn.linear_model._base"),
    ],
)
def test_a_plan_imports_no_module_but_the_estimator_modules(estimator: str, module: str) -> None:
    # A fresh interpreter: what this test process imported already must not hide an import.
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORTS, estimator, module],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(proc.stdout)
    assert result["imported"] is False
    assert len(result["failures"]) == 1
    assert "among the estimator modules" in result["failures"][0]


def test_an_estimator_of_an_estimator_module_is_still_validated() -> None:
    from providers.ml.estimators import validate_estimator

    assert validate_estimator("sklearn.svm.SVC", {"C": 2.0}) == []
