"""The ``mlprep`` command: one root group, one command per concern, loaded lazily.

Each command lives in its own module and is imported only when invoked (or when ``--help`` lists
it), so ``mlprep quiz`` never pays for numpy or torch. The CLI is the edge: it parses arguments,
calls library functions and prints; errors below ``MlprepError`` become one clean line.
"""

from __future__ import annotations

import importlib
import sys

import click

from mlprep import __version__
from mlprep._errors import MlprepError

# command name -> "module:attribute"; a module that is absent simply hides its command
COMMANDS: dict[str, str] = {
    "list": "mlprep.cli._content:list_cmd",
    "show": "mlprep.cli._content:show_cmd",
    "check": "mlprep.cli._content:check_cmd",
    "schema": "mlprep.cli._content:schema_cmd",
    "stamp": "mlprep.cli._content:stamp_cmd",
    "import": "mlprep.cli._import:import_cmd",
    "exercises": "mlprep.cli._exercises:exercises_group",
    "grade": "mlprep.cli._grade:grade_cmd",
    "quiz": "mlprep.cli._quiz:quiz_cmd",
    "stats": "mlprep.cli._quiz:stats_cmd",
    "export": "mlprep.cli._quiz:export_group",
    "site": "mlprep.cli._site:site_group",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._load(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # that concern is not built (yet)
                return None
            raise
        return getattr(module, attr)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MlprepError as exc:  # a user's mistake or bad content: one line, never a traceback
            click.secho(f"error: {exc}", err=True, fg="red")
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `mlprep list | head`
            sys.stderr.close()
            ctx.exit(0)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlprep")
def cli() -> None:
    """Prepare for machine-learning interviews: a vetted question bank in three languages,
    auto-graded coding exercises, a spaced-repetition quiz and a static study site."""


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="mlprep")
