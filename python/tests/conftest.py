"""Shared fixtures: the CLI binary, the `s` demo city written as CSV files by
the CLI itself, and helpers to ask the CLI for JSON."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_path() -> str:
    env = os.environ.get("ZHICHU_CLI")
    if env:
        return env
    for p in (ROOT / "target/debug/zhichu", ROOT / "target/release/zhichu"):
        if p.exists():
            return str(p)
    pytest.skip("no zhichu CLI binary (set ZHICHU_CLI or run cargo build --bin zhichu)")


def run_cli(*args: str) -> dict:
    out = subprocess.run([cli_path(), *args, "--json"], capture_output=True, text=True)
    # `validate` exits 1 when the data have errors, and still prints the report.
    if out.returncode not in (0, 1) or not out.stdout.strip():
        raise AssertionError(f"zhichu {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The `s` demo city as CSV files (English headers, as a data platform would export them)."""
    d = tmp_path_factory.mktemp("demo_s")
    subprocess.run([cli_path(), "demo", "--scale", "s", "--headers", "en", "--out", str(d)], check=True, capture_output=True)
    return d


@pytest.fixture(scope="session")
def demo_dir_zh(tmp_path_factory) -> Path:
    """The `s` demo city as CSV files with the default Chinese headers and file names."""
    d = tmp_path_factory.mktemp("demo_s_zh")
    subprocess.run([cli_path(), "demo", "--scale", "s", "--out", str(d)], check=True, capture_output=True)
    return d
