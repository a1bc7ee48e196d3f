"""One error hierarchy. Every message says what to do next."""

from __future__ import annotations


class QuotelineError(Exception):
    """Base of every error quoteline raises on purpose; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class UsageError(QuotelineError):
    """The caller asked for something that cannot work as asked (bad flag, bad path)."""

    exit_code = 2


class ModelNotFoundError(QuotelineError):
    """No usable spaCy pipeline is installed."""


class InputError(QuotelineError):
    """An input could not be read or decoded."""

    exit_code = 2


class StoreError(QuotelineError):
    """The store could not be opened, migrated, read or written."""


class MissingExtraError(QuotelineError):
    """An optional dependency is needed for this command and is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this needs the optional package {package!r}; install it with: "
            f"pip install 'quoteline[{extra}]'"
        )
        self.package = package
        self.extra = extra
