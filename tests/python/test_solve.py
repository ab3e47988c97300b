"""healthcast solve: the lever size that meets a target."""

import os
import subprocess
from pathlib import Path

import h5py
import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")

# A lever that moves current smokers (every age 15+) to recent quitters: at its full year the
# prevalence of smoking is `scale` times what it is without the lever.
SCENARIO = """healthcast: 1
name: smoking
extends: {source}/scenarios/china_reference.yaml
horizon: 2026
interventions:
  - name: tobacco
    kind: risk_factor_prevalence
    start: 2021
    full: 2026
    factor: smoking
    category: current
    scale: {scale}
    to: former_0_4
targets:
  - {{indicator: smoking_prevalence_15plus, year: 2026, comparator: "<=", value: 20}}
"""


def healthcast(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=600)


def scenario(folder, scale):
    path = folder / f"s{scale}.yaml"
    path.write_text(SCENARIO.format(source=SOURCE, scale=scale), encoding="utf-8")
    return path


def test_solve_finds_the_scale_known_by_hand(tmp_path):
    # Without the lever (scale 1) the 2026 prevalence is p; the lever multiplies it by the scale,
    # so the target 20% is met at scale 20 / p (to the integration's 1e-4).
    assert healthcast("run", scenario(tmp_path, 1.0), "-o", tmp_path / "none.h5").returncode == 0
    with h5py.File(tmp_path / "none.h5") as f:
        p = float(f["smoking_prevalence_15plus"][-1, 0, 2])
    result = healthcast("solve", scenario(tmp_path, 0.9), "--target",
                        "smoking_prevalence_15plus:2026", "--lever", "tobacco.scale")
    assert result.returncode == 0, result.stderr
    size = float(result.stdout.split("tobacco.scale = ")[1].split()[0])
    assert size == pytest.approx(20 / p, abs=2e-4)


def test_an_unreachable_target_exits_3_with_the_best_size(tmp_path):
    result = healthcast("solve", scenario(tmp_path, 0.9), "--target",
                        "smoking_prevalence_15plus:2026", "--lever", "tobacco.scale",
                        "--range", "0.9,1")
    assert result.returncode == 3, result.stderr
    assert "cannot be met" in result.stdout and "tobacco.scale = 0.9" in result.stdout


def test_an_unknown_lever_is_bad_input_listing_the_interventions(tmp_path):
    result = healthcast("solve", scenario(tmp_path, 0.9), "--target",
                        "smoking_prevalence_15plus:2026", "--lever", "tobaco.scale")
    assert result.returncode == 2
    assert "did you mean 'tobacco'" in result.stderr


def test_python_solve_gives_the_same_answer(tmp_path):
    import healthcast as hc

    answer = hc.solve(scenario(tmp_path, 0.9), "smoking_prevalence_15plus:2026", "tobacco.scale")
    cli = healthcast("solve", scenario(tmp_path, 0.9), "--target",
                     "smoking_prevalence_15plus:2026", "--lever", "tobacco.scale")
    assert answer["reachable"] and not answer["met_everywhere"]
    assert f"tobacco.scale = {answer['size']:.6g} " in cli.stdout
    assert answer["gap"] <= 0
    with pytest.raises(hc.ScenarioError, match="did you mean 'tobacco'"):
        hc.solve(scenario(tmp_path, 0.9), "smoking_prevalence_15plus:2026", "tobaco.scale")


def test_met_everywhere_reports_the_end_that_barely_meets_it(tmp_path):
    # smoking <= 60% is met at every scale in 0..1: the answer is the weakest lever, scale 1
    # (the highest prevalence), centrally and across draws.
    path = scenario(tmp_path, 0.9)
    path.write_text(path.read_text().replace("value: 20}", "value: 60}"))
    for extra in ([], ["--probability", "0.8", "--draws", "3"]):
        result = healthcast("solve", path, "--target", "smoking_prevalence_15plus:2026",
                            "--lever", "tobacco.scale", *extra)
        assert result.returncode == 0, result.stderr
        assert "is met" in result.stdout and "tobacco.scale = 1 " in result.stdout, result.stdout


def test_solve_with_a_probability_meets_it_across_draws(tmp_path):
    result = healthcast("solve", scenario(tmp_path, 0.9), "--target",
                        "smoking_prevalence_15plus:2026", "--lever", "tobacco.scale",
                        "--probability", "0.5", "--draws", "5")
    assert result.returncode == 0, result.stderr
    size = float(result.stdout.split("tobacco.scale = ")[1].split()[0])
    probability = float(result.stdout.split("with probability ")[1].split()[0])
    assert 0.5 < size < 1 and probability >= 0.5
