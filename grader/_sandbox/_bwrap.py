"""The bubblewrap layer: the sandboxed process sees only the interpreter, the packages its
exercise allows, and its own working directory.

    bwrap --unshare-all (user, pid, net, ipc, uts, cgroup) --disable-userns
          --uid 65534 --gid 65534       root outside, "nobody" without capabilities inside
          --die-with-parent --new-session
          --ro-bind /usr, the Python installation (its own site-packages masked), pyvenv.cfg
          --ro-bind each allowed distribution (numpy, or torch and its requirements) into an
                    otherwise empty site-packages: mlprep, grader, reference and the checkout
                    are simply not in the file system the submission sees
          --proc /proc --dev /dev --tmpfs /tmp   private ones
          --bind WORKDIR WORKDIR --chdir WORKDIR the only writable place
          --seccomp FD                           when libseccomp is there (``_seccomp``)

The PID namespace is the process-tree guarantee here: when the sandbox's init ends, the kernel
kills every process left in it, setsid and double forks included; and the grader is not in
the namespace, so the submission cannot signal it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sys
import sysconfig
from pathlib import Path

from grader._sandbox import _seccomp
from grader._sandbox._base import Job
from grader._sandbox._process import ProcessRunning, ProcessSandbox

NOBODY = 65534
TMP_BYTES = 64 << 20
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def bwrap_path() -> str | None:
    return shutil.which("bwrap") or (
        "/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None
    )


def _site_dirs() -> list[Path]:
    paths = sysconfig.get_paths()
    return sorted({Path(paths["purelib"]), Path(paths["platlib"])})


def _dists_of(top: str) -> list[str]:
    """Distributions providing import name ``top``; the cheap guess (same name) first."""
    import importlib.metadata as metadata

    if top in sys.stdlib_module_names:
        return []
    try:
        metadata.distribution(top)
        return [top]
    except metadata.PackageNotFoundError:
        return _top_level_to_dist().get(top, [])


@functools.cache
def _top_level_to_dist() -> dict[str, list[str]]:
    import importlib.metadata as metadata

    return metadata.packages_distributions()  # scans every installed distribution: slow


def _closure(dist_names: list[str]) -> set[str]:
    """The distributions and their requirements (extras left out), by normalised name."""
    import importlib.metadata as metadata

    seen: set[str] = set()
    todo = list(dist_names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for req in dist.requires or []:
            if "extra ==" in req.replace('extra=="', 'extra == "'):
                continue
            m = _REQ_NAME.match(req)
            if m:
                todo.append(m.group(1))
    return seen


# Never bound, whatever a cache file says: the grader's own packages (installed non-editable they
# live in site-packages too) and .pth files that could put the checkout on sys.path.
_NEVER = ("mlprep", "grader", "reference")


@functools.cache
def package_entries(allowed: tuple[str, ...]) -> tuple[Path, ...]:
    """The site-packages entries to bind for ``allowed`` (see ``_package_entries_now``).

    Working them out needs importlib.metadata and reads RECORD files (~30 ms before the sandbox
    can start, on every cold grade), so the answer is cached on disk, keyed by the interpreter
    and the modification times of the site-packages folders (installing, removing or upgrading a
    package changes them). A cached list is used only if every entry still exists inside a
    site-packages folder and is none of ``_NEVER``.
    """
    sites = _site_dirs()
    key = {
        "v": 1,
        "prefix": sys.prefix,
        "allowed": sorted(allowed),
        "sites": [[str(p), _mtime(p)] for p in sites],
    }
    path = _entries_cache_path()
    if path is not None:
        try:
            data = json.loads(path.read_text("utf-8"))
            hit = data.get(json.dumps(key, sort_keys=True)) if isinstance(data, dict) else None
        except (OSError, ValueError):
            hit, data = None, {}
        resolved = {p.resolve() for p in sites}
        if isinstance(hit, list) and all(_safe_entry(e, resolved) for e in hit):
            return tuple(Path(e) for e in hit)
    entries = _package_entries_now(allowed)
    if path is not None:
        try:
            data = data if isinstance(data, dict) else {}
            data[json.dumps(key, sort_keys=True)] = [str(e) for e in entries]
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data), "utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    return entries


def _mtime(p: Path) -> int:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return -1


def _safe_entry(entry: object, sites: set[Path]) -> bool:
    if not isinstance(entry, str):
        return False
    p = Path(entry)
    name = p.name.split(".", 1)[0].split("-", 1)[0]
    return (
        p.parent in sites
        and p.exists()
        and not p.is_symlink()
        and name not in _NEVER
        and not p.name.endswith(".pth")
    )


def _entries_cache_path() -> Path | None:
    from mlprep._dirs import cache_dir

    base = cache_dir()
    return None if base is None else base / "sandbox-binds.json"


def _package_entries_now(allowed: tuple[str, ...]) -> tuple[Path, ...]:
    """Top-level site-packages entries (package dirs, modules, .libs, dist-info) of the
    distributions that provide the allowed third-party imports, with their requirements.

    Standard-library names in ``allowed`` (os, math) map to no distribution and add nothing.
    """
    import importlib.metadata as metadata

    dists = [d for t in {a.split(".")[0] for a in allowed} for d in _dists_of(t)]
    entries: set[Path] = set()
    sites = _site_dirs()
    for name in _closure(dists):
        dist = metadata.distribution(name)
        base = Path(dist.locate_file("")).resolve()
        if base not in [s.resolve() for s in sites]:
            continue  # installed elsewhere (editable, system): never bind what we did not vet
        record = dist.read_text("RECORD") or ""  # parsed by hand: torch lists ~15k files
        for line in record.splitlines():
            top = line.split(",", 1)[0].split("/", 1)[0]
            if top and top not in ("..", "__pycache__"):
                entries.add(base / top)
    return tuple(sorted(p for p in entries if p.exists()))


def _bind_system(argv: list[str]) -> None:
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            argv += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            argv += ["--ro-bind", d, d]
    for f in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime"):
        if os.path.exists(f):
            argv += ["--ro-bind", f, f]


def _bind_python(argv: list[str], allowed: tuple[str, ...]) -> None:
    base = Path(sys.base_prefix).resolve()
    if not str(base).startswith(SYSTEM_DIRS):
        argv += ["--ro-bind", str(base), str(base)]
    # the base installation's own site-packages holds whatever was pip-installed there
    for key in ("purelib", "platlib"):
        site = Path(sysconfig.get_path(key, vars={"base": str(base), "platbase": str(base)}))
        if site.is_dir():
            argv += ["--tmpfs", str(site)]
    if sys.prefix != sys.base_prefix:  # a virtual environment: pyvenv.cfg and the executable
        cfg = Path(sys.prefix) / "pyvenv.cfg"
        argv += ["--ro-bind", str(cfg), str(cfg)]
    exe = Path(sys.executable)
    argv += ["--ro-bind", str(exe.resolve()), str(exe)]
    for site in _site_dirs():
        argv += ["--dir", str(site)]
    for entry in package_entries(allowed):
        argv += ["--ro-bind", str(entry), str(entry)]


def bwrap_argv(workdir: Path, allowed: tuple[str, ...], seccomp_fd: int | None) -> list[str]:
    """The bwrap command line up to (and including) ``--``; the inner command follows it."""
    argv = [
        bwrap_path() or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid",
        str(NOBODY),
        "--gid",
        str(NOBODY),
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(TMP_BYTES),
        "--tmpfs",
        "/tmp",  # private, and in RAM: capped so that filling it cannot exhaust the host
    ]
    if os.getuid() == 0:
        argv += ["--cap-drop", "ALL"]
    _bind_system(argv)
    _bind_python(argv, tuple(sorted({"numpy", *allowed})))  # the harness itself needs numpy
    argv += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir)]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    return [*argv, "--"]


def level() -> str:
    return "bwrap+seccomp" if _seccomp.bpf_program() is not None else "bwrap"


# ---- the sandbox: ProcessSandbox with the child started under bwrap -------------------------


class BwrapRunning(ProcessRunning):
    """Spawned in ``configure``: the binds depend on the exercise's allowed imports."""

    defer = True

    def _prefix(self, job: Job | None) -> tuple[list[str], list[int]]:
        assert job is not None
        allowed = tuple(job.allowed_imports) + (("torch",) if job.torch else ())
        fd = _seccomp.program_fd()
        return bwrap_argv(self.dir, allowed, fd), [] if fd is None else [fd]

    def _signalled(self, rc: int | None) -> int | None:
        # bwrap exits with 128 + N when its child was killed by signal N
        return -(rc - 128) if rc is not None and 128 < rc < 160 else rc


class BwrapSandbox(ProcessSandbox):
    """Everything ``ProcessSandbox`` does, inside bubblewrap namespaces (see the module doc)."""

    def __init__(self) -> None:
        self.level = level()

    def start(self, source: str) -> BwrapRunning:
        return BwrapRunning(source, self.level)
