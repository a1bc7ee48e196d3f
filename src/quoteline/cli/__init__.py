"""The ``quoteline`` command: a click group whose verbs live in their own modules.

Verbs load lazily so ``quoteline --help`` never imports spaCy, Spark or the web stack.
stdout carries data; stderr carries progress, summaries and errors.
Exit codes: 0 done, 1 fatal, 2 usage, 3 done with skips.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from quoteline import __version__
from quoteline.errors import QuotelineError

# verb -> (module under quoteline.cli, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "extract": ("extract_cmd", "extract", "Extract quotes from articles (text, JSONL, stdin)."),
    "eval": ("eval_cmd", "eval_", "Score extraction against gold annotations."),
    "ingest": ("corpus_cmd", "ingest", "Ingest articles into a store, extract and link quotes."),
    "skips": ("corpus_cmd", "skips", "List inputs that were skipped, with reasons."),
    "search": ("corpus_cmd", "search", "Full-text search over stored quotes."),
    "speaker": ("corpus_cmd", "speaker", "A speaker's timeline of quotes."),
    "cluster": ("corpus_cmd", "cluster", "All renderings of one quote cluster, with diffs."),
    "export": ("corpus_cmd", "export", "Export quotes, speakers or clusters."),
    "load": ("corpus_cmd", "load", "Bulk-load Spark output into a store."),
    "serve": ("web_cmd", "serve", "Serve the web UI and JSON API over a store."),
    "spark": ("spark_cmd", "spark", "Run extraction and linking on Apache Spark."),
    "settings": ("settings_cmd", "settings_", "List every limit, its value and how to change it."),
}


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(f"quoteline.cli.{module}") is not None


class LazyGroup(click.Group):
    """A group that imports a verb's module only when that verb runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (mod, _, _) in COMMANDS.items() if _module_exists(mod)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _module_exists(entry[0]):
            return None
        module = importlib.import_module(f"quoteline.cli.{entry[0]}")
        command = getattr(module, entry[1])
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="quoteline")
def cli() -> None:
    """quoteline: who said what, when, in the news.

    \b
    Examples:
      quoteline extract article.txt --published 2022-11-16
      quoteline eval gold.jsonl --predictions out.jsonl
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI, turning quoteline errors into a message and an exit code."""
    try:
        return cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except QuotelineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
