"""`python -m healthcast report ...`: the parts of the command line written in Python (the
program `healthcast report` runs this with the build's interpreter and package)."""

import sys

from .report import main as report_main

COMMANDS = {"report": report_main}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(f"usage: python -m healthcast {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
