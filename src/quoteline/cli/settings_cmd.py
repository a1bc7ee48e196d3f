"""``quoteline settings``: every limit, its current value and where that value comes from."""

from __future__ import annotations

import click

from quoteline import settings


@click.command("settings")
@click.option("--markdown", is_flag=True, help="Print the README's table of defaults instead.")
def settings_(markdown: bool) -> None:
    """List every setting with its current value and where it comes from.

    \b
    Examples:
      quoteline settings
      QUOTELINE_FETCH_TIMEOUT=5 quoteline settings
      quoteline settings --markdown
    """
    if markdown:
        click.echo(settings.markdown_table())
        return
    for s in settings.TABLE:
        click.echo(f"{s.name} = {settings.get(s.name)!r}  ({settings.source_of(s.name)}; "
                   f"{s.env}{', ' + s.flag if s.flag else ''})  {s.help}")
