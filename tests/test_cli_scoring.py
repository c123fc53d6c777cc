"""`waypoint instruments` and `waypoint score`: scoring from the command line, no vault needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def waypoint(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WAYPOINT_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_instruments_lists_ids_names_and_versions(tmp_path: Path) -> None:
    result = waypoint(tmp_path, "instruments")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 11
    assert any(line.startswith("phq9") and "PHQ-9" in line and "1.0.0" in line for line in lines)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["phq9", "--answers", "0,0,0,0,0,0,0,0,1"], {"total": 1, "band": "Minimal", "flags": ["suicide_risk"], "valid": True}),
        (["phq9", "--answers", ",2,2,2,2,2,2,2,2"], {"total": 18, "band": "Moderately severe", "positive": True}),
        (["phq9", "--answers", ",,,2,2,2,2,2,2"], {"total": None, "valid": False}),
        (["gad7", "--answers", "2,2,2,2,1,1,0"], {"total": 10, "band": "Moderate", "positive": True}),
        (["auditc", "--answers", "1,1,1"], {"total": 3, "positive": True}),
        (["auditc", "--answers", "1,1,1", "--sex", "male"], {"total": 3, "positive": False}),
        (["dast10", "--answers", "n,n,n,n,n,n,n,n,n,n"], {"total": 1, "band": "Low level"}),
        (["k10", "--answers", "1,1,1,1,1,1,1,1,1,1"], {"total": 10, "band": "Low"}),
        (["k6", "--answers", "4,4,4,4,4,4"], {"total": 24, "positive": True}),
        (["who5", "--answers", "4,4,4,4,4"], {"total": 20, "percent": 80}),
        (["cssrs_screener", "--answers", "y,n,,,,n"], {"risk": "Low", "flags": []}),
        (["cssrs_screener", "--answers", "n,n,,,,y,y"], {"risk": "High", "flags": ["suicide_risk"]}),
        (["pcptsd5", "--answers", "n"], {"total": 0, "positive": False}),
    ],
)
def test_score_json(tmp_path: Path, args: list[str], expected: dict[str, object]) -> None:
    result = waypoint(tmp_path, "score", *args, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"instrument", "version", "total", "band", "positive", "flags", "valid"} <= set(out)
    assert {k: out[k] for k in expected} == expected


def test_score_text_shows_the_flag(tmp_path: Path) -> None:
    result = waypoint(tmp_path, "score", "phq9", "--answers", "1,1,1,1,1,1,1,1,2")
    assert result.returncode == 0
    assert "PHQ-9: 10 — Moderate — positive" in result.stdout
    assert "FLAG suicide_risk" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["phq9", "--answers", "0,0,4"], "PHQ-9 item 3: 4 is not an answer; use 0–3."),
        (["k10", "--answers", "0"], "K10 item 1: 0 is not an answer; use 1–5."),
        (["dast10", "--answers", "y,perhaps"], "DAST-10 item 2: “perhaps” is not an answer; use y or n."),
        (["auditc", "--answers", "1,1,1,1"], "AUDIT-C has 3 items but 4 answers were given."),
    ],
)
def test_invalid_answers_exit_1_naming_the_item(tmp_path: Path, args: list[str], message: str) -> None:
    result = waypoint(tmp_path, "score", *args)
    assert result.returncode == 1
    assert message in result.stderr


def test_unknown_instrument_and_usage(tmp_path: Path) -> None:
    unknown = waypoint(tmp_path, "score", "phq10", "--answers", "1")
    assert unknown.returncode == 2 and "Known: auditc" in unknown.stderr
    assert waypoint(tmp_path, "score", "phq9").returncode == 2  # --answers is required
