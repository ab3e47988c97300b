#!/usr/bin/python3
"""Make the virtual environment in which `import healthcast` loads one build's package.

usage: /usr/bin/python3 tools/make_venv.py VENV PACKAGE_PARENT

The build runs this for <build>/venv with PACKAGE_PARENT = <build>/python (the folder that holds
healthcast/), so each clone's venv imports its own build and no file outside the build folder
is written (no root needed). The venv sees Debian's python3-* packages (--system-site-packages)
and has no pip (there is no PyPI here). It also holds a Jupyter kernel named "healthcast" that
runs its interpreter: `./hc jupyter` finds it, other front ends through
JUPYTER_PATH=VENV/share/jupyter.
"""

import json
import subprocess
import sys
import venv
from pathlib import Path

KERNEL_NAME = "healthcast"


def site_packages(env: Path) -> Path:
    # Ask the venv's own interpreter: the folder name depends on the Python version and scheme.
    out = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


def make_venv(env: Path, package_parent: Path) -> None:
    env, package_parent = env.absolute(), package_parent.absolute()
    venv.EnvBuilder(system_site_packages=True, with_pip=False, clear=True, symlinks=True).create(env)
    # A .pth line is added to sys.path after the venv's own site-packages and before the system
    # folders, so this build wins over any healthcast.pth installed system-wide.
    (site_packages(env) / "healthcast.pth").write_text(f"{package_parent}\n")
    kernel = env / "share" / "jupyter" / "kernels" / KERNEL_NAME
    kernel.mkdir(parents=True, exist_ok=True)
    spec = {
        # -Xfrozen_modules=off: as ipykernel's own kernel, without the debugger's warning.
        "argv": [str(env / "bin" / "python"), "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": f"Python 3 (healthcast: {package_parent.parent})",
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    make_venv(Path(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
