"""Exceptions raised by healthcast.

Every error the engine raises on purpose is a :class:`HealthcastError`. The compiled core turns
each C++ exception type into one of these classes:

================================  =====================================
C++ (``healthcast::``)            Python (``healthcast.``)
================================  =====================================
``Error``                         :class:`HealthcastError`
``InputError``                    :class:`ScenarioError`
``FileFormatError``               :class:`ResultsFileError`
================================  =====================================

A run stopped with Ctrl-C raises the usual :class:`KeyboardInterrupt`.
"""

from __future__ import annotations


class HealthcastError(RuntimeError):
    """Root of every error healthcast raises on purpose (C++ ``healthcast::Error``)."""


class ScenarioError(HealthcastError, ValueError):
    """Bad input: a scenario file, one of its data files, or arguments such as death rates.

    The message says what to fix. The attributes locate the problem; each is ``None`` when
    unknown.

    Attributes:
        file: the file holding the bad input.
        line: 1-based line in that file.
        column: 1-based column in that line.
        field: the scenario key or data column at fault.
        problem: the message without its location.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    problem: str | None = None


class ResultsFileError(HealthcastError, OSError):
    """A results file that is missing, unreadable, or not a healthcast results file of a
    supported format version (C++ ``healthcast::FileFormatError``)."""


__all__ = ["HealthcastError", "ScenarioError", "ResultsFileError"]
