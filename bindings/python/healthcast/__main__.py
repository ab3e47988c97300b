"""`python -m healthcast report|batch ...`: the parts of the command line written in Python (the
programs `healthcast report` and `healthcast batch` run this with the build's interpreter and
package)."""

import sys

from .batch import main as batch_main
from .report import main as report_main

COMMANDS = {"report": report_main, "batch": batch_main}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(f"usage: python -m healthcast {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
