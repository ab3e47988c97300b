#!/usr/bin/python3
"""Writes the catalogue of result variables and indicators (engine/results/catalogue.h, through
healthcast.catalogue.markdown) into docs/results-format.md between its catalogue markers.
tests/python/test_catalogue.py fails when the doc is not current.
Usage: tools/catalogue_doc.py   (with `import healthcast` working, e.g. after ./hc build)"""
import pathlib
import sys

from healthcast import catalogue

BEGIN, END = "<!-- catalogue:begin -->", "<!-- catalogue:end -->"
DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "results-format.md"


def with_catalogue(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{catalogue.markdown()}{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(with_catalogue(DOC.read_text()))
    sys.exit(0)
