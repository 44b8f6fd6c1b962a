"""`mlprep import`: seed-shaped Markdown Q&A documents -> draft question files."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from mlprep.content import Question, default_root
from mlprep.content._import import detect_locale, parse_document, slug


class _Literal(str):
    """A string dumped as a YAML block scalar (``|``) so Markdown stays readable."""


def _dump(data: dict) -> str:
    class Dumper(yaml.SafeDumper):
        pass

    def literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")

    Dumper.add_representer(_Literal, literal)
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)


def _md(text: str) -> str:
    text = "\n".join(
        line.rstrip() for line in text.split("\n")
    )  # block scalars cannot keep trailing blanks
    return _Literal(text) if "\n" in text else text


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the drafts [default: questions/imported in the bank].",
)
@click.option("--prefix", help="Id prefix of the drafts [default: from the file name].")
@click.option("--lang", help="Locale of the document [default: detected from its script].")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    default=["batchnorm"],
    show_default=True,
    help="Tag for every draft (repeatable).",
)
def import_cmd(
    file: Path, out: Path | None, prefix: str | None, lang: str | None, tags: tuple[str, ...]
) -> None:
    """Turn a Markdown Q&A document into draft questions, one file per numbered question.

    Existing files are never overwritten: a draft whose file exists is skipped and reported.
    Drafts are unvetted; review each against primary sources before marking it vetted.
    """
    try:
        text = file.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file}: not UTF-8 (byte {exc.start})") from None
    drafts = parse_document(text)
    if not drafts:
        raise click.ClickException(f"{file}: no numbered question headings ('### 1. ...') found")
    locale = lang or detect_locale(text)
    out = out or default_root() / "questions" / "imported"
    prefix = slug(prefix or file.stem)
    docs = []
    for k, d in enumerate(drafts, 1):
        qid = f"{prefix}-q{k:02d}"  # document order: seeds restart their numbering per section
        doc = {
            "id": qid,
            "kind": "open",
            "tags": list(tags),
            "difficulty": "medium",
            "source_locale": locale,
            "origin": file.name,
            "vetting": {
                "status": "draft",
                "checked": f"imported from {file.name}:{d.line}; not yet checked",
            },
            "locales": {
                locale: {"title": d.title, "prompt": _md(d.prompt), "answer": _md(d.answer)}
            },
        }
        Question.model_validate(doc)  # a draft the importer writes must load
        docs.append((qid, d, doc))
    out.mkdir(parents=True, exist_ok=True)
    written = skipped = 0
    for qid, d, doc in docs:
        path = out / f"{qid}.yaml"
        try:
            with path.open("x", encoding="utf-8") as f:  # 'x': never overwrite
                f.write(_dump(doc))
        except FileExistsError:
            click.echo(f"skipped {path}: exists", err=True)
            skipped += 1
            continue
        written += 1
        click.echo(f"wrote {path}  ({d.title})")
        for note in d.notes:
            click.echo(f"  note: {note}")
    click.echo(
        f"{written} drafts written, {skipped} skipped ({locale}, from {file.name})", err=True
    )
