"""Fixtures for the Spark job's tests: those of the Python package (the CLI,
the demo city written by it) and one local Spark session (local[2])."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

_here = Path(__file__).resolve()
_spec = importlib.util.spec_from_file_location("zhichu_python_conftest", _here.parents[2] / "python/tests/conftest.py")
_common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_common)
cli, demo_dir, demo_dir_zh, run_cli, cli_path = _common.cli, _common.demo_dir, _common.demo_dir_zh, _common.run_cli, _common.cli_path

sys.path.insert(0, str(_here.parents[1]))


@pytest.fixture(scope="session")
def spark():
    import zhichu_spark

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    s = zhichu_spark.session("local[2]", app="zhichu-tests")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def cli_bin() -> str:
    """The CLI binary's path (for commands that print no JSON)."""
    return cli_path()
