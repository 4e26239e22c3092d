"""One family of user-facing errors.

Each error carries a message key from `metriqr.texts` and the values to put in it, so the
page and the command line can say, in the user's language, what was expected, what
arrived and what to do. Tracebacks go to the log, never to the user.
"""
from __future__ import annotations

from typing import Any


def _render(value: Any, lang: str) -> Any:
    """A typed value (date, catalogue term, count, size, reasons) as the reader's language writes it."""
    from metriqr.texts import render_value

    return render_value(value, lang)


class MetriqrError(Exception):
    """An expected problem with the user's input, with a translatable message."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def message(self, lang: str = "pt") -> str:
        from metriqr.texts import t

        return t(f"error.{self.key}", lang, **{k: _render(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.message("en")


class InputFileError(MetriqrError):
    """The file cannot be read as a transaction table."""


class ColumnError(MetriqrError):
    """The table lacks a column the analysis needs, or the mapping is wrong."""


class OptionError(MetriqrError):
    """An option (date, window, method) is out of range for this data."""


class ModelRefused(MetriqrError):
    """The data cannot support a predictive model honestly (too few repeat customers, too short a history, no fit)."""
