"""File operations for the build: hard-link seeding, writes that never touch a linked inode,
an atomic swap of two folders, and the offline zip bundle."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import filecmp
import os
import shutil
import zipfile
from pathlib import Path


def publishable(folder: Path) -> None:
    """Give a mkdtemp folder (0700) the permissions of a normally created one."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def link_tree(src: Path, dst: Path, skip: set[str]) -> None:
    """Fill ``dst`` with hard links to ``src``'s files (copies where links are not possible)."""
    for dirpath, dirnames, filenames in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        if rel == Path("."):
            dirnames[:] = [d for d in dirnames if d not in skip]
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in filenames:
            a, b = Path(dirpath) / name, dst / rel / name
            try:
                os.link(a, b)
            except OSError:
                shutil.copy2(a, b)


def write(path: Path, data: bytes) -> None:
    """Write a file as a new inode: the old one may be a hard link into the previous site."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data)


class Writer:
    """``write`` for many files in few folders: each folder is created once, and files are only
    unlinked first when the folder was seeded from a previous build (a fresh one holds none)."""

    _FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC

    def __init__(self, root: Path, seeded: bool):
        self.root, self.seeded = root, seeded
        self._prefix = f"{root}{os.sep}"
        self._made: set[str] = set()

    def __call__(self, rel: str, data: bytes) -> None:
        folder, _, _name = rel.rpartition("/")
        if folder not in self._made:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self._made.add(folder)
        path = self._prefix + rel  # a string and a bare descriptor: thousands of files a build
        if self.seeded:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        fd = os.open(path, self._FLAGS, 0o666)
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


def copy_if_changed(source: Path, target: Path) -> None:
    if target.is_file() and filecmp.cmp(source, target, shallow=False):
        return
    write(target, source.read_bytes())


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap(new: Path, out: Path) -> None:
    """Put ``new`` in place of ``out``; readers see the old site or the new one, never a mix."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the previous site
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)  # fallback: two renames, a moment without ``out``
    try:
        os.rename(new, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def zip_tree(folder: Path, target: Path, exclude: set[str]) -> Path:
    """Zip ``folder`` (as a top-level folder of the same name) into ``target``, atomically."""
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and rel.as_posix() not in exclude:
                zf.write(path, f"{folder.name}/{rel.as_posix()}")
    os.replace(partial, target)
    return target
