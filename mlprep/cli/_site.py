"""``mlprep site``: build the static study site, or preview it locally."""

from __future__ import annotations

from pathlib import Path

import click

from mlprep._errors import MlprepError
from mlprep.content import Problem

out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site into (replaced atomically).",
)
base_url_option = click.option(
    "--base-url",
    default=None,
    help="Public URL the site will live at, e.g. https://example.org/mlprep/ (for canonical links).",
)
search_option = click.option(
    "--search/--no-search", default=True, show_default=True, help="Build the Pagefind search index."
)


def _build(out: Path, base_url: str | None, zip_bundle: bool, search: bool):
    from mlprep.site import SiteContentError, build_site

    try:
        return build_site(out, base_url=base_url, zip_bundle=zip_bundle, search=search)
    except SiteContentError as exc:
        for p in exc.problems:  # the way 'mlprep check' prints them: paths from here
            where = _display(exc.root / p.path) if exc.root else p.path
            click.echo(Problem(str(where), p.line, p.col, p.severity, p.message).format(), err=True)
        raise


def _display(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@click.group("site")
def site_group() -> None:
    """Build or preview the static study site."""


@site_group.command("build")
@out_option
@base_url_option
@click.option("--zip", "zip_bundle", is_flag=True, help="Also write OUT.zip, an offline bundle.")
@search_option
@click.option("-v", "--verbose", is_flag=True, help="Also print the time each stage took.")
def build_cmd(
    out: Path, base_url: str | None, zip_bundle: bool, search: bool, verbose: bool
) -> None:
    """Build the site: one page per question and exercise in every locale, topic and level pages,
    and a search index. Content with errors builds nothing (run 'mlprep check' to see them)."""
    result = _build(out, base_url, zip_bundle, search)
    click.echo(
        f"built {result.out}: {result.pages} pages, {len(result.rendered)} rendered, "
        f"{len(result.removed)} removed in {result.seconds:.2f}s"
        + (", search index rebuilt" if result.indexed else "")
    )
    if verbose:
        click.echo("stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in result.phases.items()))
    if result.zip_path:
        click.echo(
            f"offline bundle: {result.zip_path} (pages work from file://; search needs a local "
            "server, e.g. 'python -m http.server' inside the unzipped folder)"
        )


@site_group.command("serve")
@out_option
@click.option(
    "--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free port)."
)
@search_option
def serve_cmd(out: Path, port: int, search: bool) -> None:
    """Build the site, serve it on 127.0.0.1 and rebuild whenever content or templates change."""
    from mlprep.site import serve

    def rebuild():
        return _build(out, None, False, search)

    try:
        serve(out, port, rebuild, echo=click.echo)
    except OSError as exc:
        raise MlprepError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
