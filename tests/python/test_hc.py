"""./hc, the entry point: its usage lists every command of the healthcast program, and it says
what is wrong when it cannot write its build folder. None of these tests builds anything."""

import os
import re
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
HC = SOURCE / "hc"
HC_OWN_COMMANDS = {"python", "jupyter", "test", "sanitize", "format-check", "format", "help"}


def hc(*args, env=None):
    return subprocess.run([HC, *args], capture_output=True, text=True, timeout=120,
                          env=env or os.environ)


def program_commands():
    binary = os.environ.get("HEALTHCAST_BIN")
    if not binary:
        pytest.skip("HEALTHCAST_BIN is not set; it must name the healthcast executable")
    text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    section = text.split("Subcommands:", 1)[1]
    return {m.group(1) for m in re.finditer(r"^  (\S+)\s", section, re.MULTILINE)}


def usage_commands(usage, heading):
    """The command names in one section of hc's usage (the lines indented by two spaces)."""
    section = usage.split(heading, 1)[1].split("\n\n", 1)[0]
    return {m.group(1) for m in re.finditer(r"^  (\S+)", section, re.MULTILINE)}


@pytest.mark.parametrize("flag", ["help", "--help", "-h"])
def test_help_lists_every_command_of_the_program_and_of_hc(flag):
    result = hc(flag)
    assert result.returncode == 0, result.stderr
    usage = result.stdout
    assert usage.startswith("Usage: ./hc COMMAND")
    assert usage_commands(usage, "The healthcast program") == program_commands() | {"--version"}
    listed = {m.group(1).rstrip(",") for m in re.finditer(r"^  (\S+)", usage, re.MULTILINE)}
    assert HC_OWN_COMMANDS <= listed


def test_no_command_prints_the_usage_and_exits_2():
    result = hc()
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == hc("help").stdout


def test_a_build_folder_it_cannot_write_is_named_not_called_a_failed_build(tmp_path):
    # A regular file where a folder should be: not even root can make the build folder there.
    (tmp_path / "file").write_text("")
    build = tmp_path / "file" / "build"
    result = hc("info", "x.h5", env=dict(os.environ, HEALTHCAST_BUILD_DIR=str(build)))
    assert result.returncode == 1
    assert f"cannot write {build}" in result.stderr
    assert "HEALTHCAST_BUILD_DIR" in result.stderr
    assert "failed" not in result.stderr
