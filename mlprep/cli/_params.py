"""Parameter checks shared by the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mlprep.content import Bank


def check_lang(bank: Bank, lang: str) -> None:
    """A usage error (exit 2) naming the known locales when ``--lang`` is not one of the bank's."""
    if lang not in bank.config.locale_codes:
        raise click.BadParameter(
            f"unknown locale '{lang}' (known: {', '.join(bank.config.locale_codes)})",
            param_hint="--lang",
        )
