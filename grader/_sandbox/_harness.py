"""The program that runs inside the sandbox: guard imports, load the submission, run the driver.

Standalone on purpose (stdlib + numpy, torch only for torch exercises): it is copied into a fresh
temp dir and run by path, so nothing of ``grader`` or ``mlprep`` is importable or trusted here.
Everything this process writes is untrusted by the grader: only arrays in ``.npy`` files (never
pickles) and a JSON manifest leave it, and the grader re-checks their dtype, shape and size.

    python -I _harness.py WORKDIR CTRL_FD

1. import numpy while the grader still loads the exercise;
2. read one JSON line from CTRL_FD: the header (allowed imports, entry points, limits, torch);
3. lower its own resource limits (address space on top of what is mapped now, CPU seconds);
4. import torch when the exercise needs it; install the import guard; compile and import the
   submission; look up the entry points;
5. block on CTRL_FD until the grader closes it (the plan and inputs are then on disk);
6. hand the plan to the driver, which writes ``out/manifest.json`` after every step.

A learner's failure (syntax error, exception, forbidden import, missing function) is written to
the manifest as data; the exit code means nothing to the grader.
"""

import builtins
import contextlib
import ctypes
import importlib.util
import json
import os
import resource
import sys
import sysconfig
import traceback

# Modules a submission may always import: pure, harmless, and common in type-annotated code.
ALWAYS_ALLOWED = (
    "__future__",
    "typing",
    "math",
    "functools",
    "itertools",
    "collections",
    "dataclasses",
    "numbers",
)
# Nobody inside the sandbox has a reason to import these; the reference must stay out of reach.
ALWAYS_DENIED = ("reference", "grader", "mlprep")
MACHINERY = ("<frozen importlib._bootstrap", "<frozen importlib._bootstrap_external")
IMPORTLIB_DIR = os.path.join(os.path.dirname(importlib.util.__file__), "")


class ForbiddenImport(ImportError):
    pass


class Guard:
    """Decides whether an import may happen, by module name and by who asks.

    An import asked for by the submission (or by code it exec'd) must name an allowed module.
    An import asked for by the stdlib or an installed library (numpy importing its own parts)
    is allowed, except for the always-denied packages. This is a policy for honest grading,
    not a security boundary: process isolation and resource limits are that.
    """

    def __init__(self, allowed, denied, trusted_files):
        self.allowed = tuple(allowed) + ALWAYS_ALLOWED
        self.denied = tuple(denied)
        paths = sysconfig.get_paths()
        roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
        self.trusted_roots = tuple(os.path.join(r, "") for r in roots)
        self.trusted_files = frozenset(trusted_files)
        self.attempts = []

    def trusted(self, filename):
        return (
            filename.startswith("<frozen ")
            or filename in self.trusted_files
            or filename.startswith(self.trusted_roots)
        )

    @staticmethod
    def _matches(name, prefixes):
        return any(name == p or name.startswith(p + ".") for p in prefixes)

    def check(self, name, untrusted_caller):
        if self._matches(name, self.denied) or (
            untrusted_caller and not self._matches(name, self.allowed)
        ):
            self.attempts.append(name)
            raise ForbiddenImport(f"import of '{name}' is not allowed in this exercise")

    def caller_is_untrusted(self, frame):
        """The nearest frame outside the import machinery decides who is asking."""
        while frame is not None:
            fn = frame.f_code.co_filename
            if fn.startswith(MACHINERY) or fn.startswith(IMPORTLIB_DIR):
                frame = frame.f_back
                continue
            return not self.trusted(fn)
        return False


def install_guard(guard):
    real_import = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            guard.check(name, guard.caller_is_untrusted(sys._getframe(1)))
        return real_import(name, globals, locals, fromlist, level)

    class Finder:  # a meta path finder (duck-typed: importlib.abc costs ~15 ms to import)
        """Catches imports that bypass ``__import__`` (importlib.import_module) when not cached."""

        def find_spec(self, fullname, path=None, target=None):
            guard.check(fullname, guard.caller_is_untrusted(sys._getframe(1)))
            return None

    builtins.__import__ = guarded_import
    sys.meta_path.insert(0, Finder())
    # drop anything already loaded from the denied packages (nothing should be)
    for mod in list(sys.modules):
        if Guard._matches(mod, guard.denied):
            del sys.modules[mod]


def forbid_names(names, guard):
    """Replace each forbidden dotted name (torch.nn.functional.batch_norm, torch.nn.BatchNorm2d)
    by a stand-in that refuses the submission and lets library code through (torch's own
    modules call F.batch_norm), even when reached through ``getattr`` with a built string. A
    class keeps its identity (isinstance still works); only its ``__init__`` refuses, which also
    stops subclasses. Like the import guard this is a policy for honest grading: enough
    introspection finds the originals. (The static pass in ``grader._forbidden`` runs first.)
    """
    for dotted in names:
        parts = dotted.split(".")
        parent = None
        for i in range(len(parts) - 1, 0, -1):
            try:
                parent = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            rest = parts[i:]
            break
        if parent is None:
            continue
        for part in rest[:-1]:
            parent = getattr(parent, part, None)
        target = getattr(parent, rest[-1], None)
        if target is None:
            continue
        with contextlib.suppress(AttributeError, TypeError):  # a read-only attribute stays
            if isinstance(target, type):
                target.__init__ = _refusing(target.__init__, dotted, guard)
            elif callable(target):
                setattr(parent, rest[-1], _refusing(target, dotted, guard))


def _refusing(fn, dotted, guard):
    def stand_in(*args, **kwargs):
        if guard.caller_is_untrusted(sys._getframe(1)):
            if dotted not in guard.attempts:  # once, however often it is called
                guard.attempts.append(dotted)
            raise ForbiddenImport(f"'{dotted}' is not allowed in this exercise")
        return fn(*args, **kwargs)

    stand_in.__name__ = getattr(fn, "__name__", "stand_in")
    stand_in.__doc__ = getattr(fn, "__doc__", None)
    return stand_in


def describe(exc, path):
    """Type, message and the submission's line where the exception surfaced."""
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == path:
        line = exc.lineno
    for fs in traceback.extract_tb(exc.__traceback__):
        if fs.filename == path:
            line = fs.lineno
    msg = str(exc.msg if isinstance(exc, SyntaxError) else exc)
    if isinstance(exc, KeyError):
        msg = repr(exc.args[0]) if exc.args else ""
    return {"type": type(exc).__name__, "message": msg[:500], "line": line}


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def load_path(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def limit_self(header):
    """Resource limits for what comes next, on top of what the libraries already mapped."""
    mb = header["memory_mb"]
    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * resource.getpagesize()
    except OSError:
        mapped = 1 << 30
    extra = 3 << 30 if header["torch"] else 256 << 20  # torch maps a lot lazily on first use
    address = mapped + extra + (mb << 20)
    cpu = int(header["time_s"]) + 1
    resource.setrlimit(resource.RLIMIT_AS, (address, address))
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    used = int(sum(os.times()[:2]))
    resource.setrlimit(resource.RLIMIT_CPU, (used + cpu, hard))


class _ArgCmp(ctypes.Structure):  # struct scmp_arg_cmp
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("a", ctypes.c_uint64),
        ("b", ctypes.c_uint64),
    ]


def no_new_processes():
    """Load a seccomp filter (libseccomp through ctypes, when installed) so that from here on
    this process can start threads but no processes and no programs: fork, vfork, execve and
    a clone without CLONE_THREAD fail with EPERM; clone3 says ENOSYS, so that glibc falls back
    to clone for threads. Forks would multiply the memory limit (each process has its own) and
    could outlive the run. Returns whether the filter is in place; without libseccomp the
    process-tree kill is the only net."""
    try:
        lib = ctypes.CDLL("libseccomp.so.2")
    except OSError:
        return False
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    ctx = lib.seccomp_init(0x7FFF0000)  # allow by default; sets no_new_privs when loaded
    if not ctx:
        return False
    eperm, enosys, masked_eq, clone_thread = 0x00050000 | 1, 0x00050000 | 38, 7, 0x00010000
    try:
        rules = [(name, eperm, None) for name in ("fork", "vfork", "execve", "execveat")]
        rules += [("clone3", enosys, None), ("clone", eperm, (clone_thread, 0))]
        for name, action, masked in rules:
            nr = lib.seccomp_syscall_resolve_name(name.encode())
            if nr < 0:
                continue  # not on this architecture (fork on arm64)
            cmp = None if masked is None else (_ArgCmp * 1)(_ArgCmp(0, masked_eq, *masked))
            if lib.seccomp_rule_add_array(ctx, action, nr, 0 if cmp is None else 1, cmp) != 0:
                return False
        return lib.seccomp_load(ctx) == 0
    finally:
        lib.seccomp_release(ctx)


def main():
    workdir, ctrl_fd = sys.argv[1], int(sys.argv[2])
    os.chdir(workdir)
    import numpy  # noqa: F401  (pre-import while the grader loads the exercise)

    ctrl = os.fdopen(ctrl_fd, "rb")
    header = json.loads(ctrl.readline())
    run(header, ctrl, os.path.abspath("_driver.py"))
    # The manifest is on disk: end now. Tearing the interpreter down (numpy's modules, the
    # submission's objects, its atexit handlers and leftover threads) costs ~10 ms of a cold
    # grade and decides nothing. Output that cannot be flushed ends as Python's own exit does
    # (120), so the grader still sees an unclean exit.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the submission may have replaced the streams
        os._exit(120)
    os._exit(0)


def run(header, ctrl, driver_path):
    """Steps 3-6 in the current directory. ``ctrl`` None: the plan is on disk already (the
    pre-forked worker, ``_zygote.py``, calls this in a fresh child per submission)."""
    manifest = {"status": "ok"}
    out_manifest = os.path.join("out", "manifest.json")
    sub_path = os.path.abspath("submission.py")
    if header["torch"]:
        import torch

        torch.set_num_threads(1)
    limit_self(header)
    allowed = header["allowed"]
    denied = list(ALWAYS_DENIED)
    if not any(a == "torch" or a.startswith("torch.") for a in allowed):
        denied.append("torch")
    guard = Guard(allowed, denied, {os.path.abspath(__file__), driver_path})
    driver = load_path("_mlprep_driver", driver_path)
    forbid_names(header.get("forbidden", []), guard)
    install_guard(guard)
    no_new_processes()  # last: everything above may still fork (nothing does today)

    # submission: compile first so a SyntaxError reports its own line, then import
    try:
        with open(sub_path, "rb") as f:
            source = f.read()
        code = compile(source, sub_path, "exec", dont_inherit=True)
        module = type(sys)("submission")
        module.__file__ = sub_path
        sys.modules["submission"] = module
        exec(code, module.__dict__)
    except SyntaxError as exc:
        manifest.update(status="syntax", error=describe(exc, sub_path))
    except ForbiddenImport as exc:
        manifest.update(status="forbidden", error=describe(exc, sub_path))
    except MemoryError as exc:
        manifest.update(status="memory", error=describe(exc, sub_path))
    except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything
        manifest.update(status="error", error=describe(exc, sub_path))
    else:
        missing = [n for n in header["entry_points"] if not hasattr(module, n)]
        if missing:
            manifest.update(status="missing", missing=missing)
    if manifest["status"] != "ok":
        manifest["forbidden"] = guard.attempts
        write_json(out_manifest, manifest)
        return

    if ctrl is not None:
        with ctrl:  # wait for the grader: the plan and inputs are ready when it closes the pipe
            ctrl.read()
    with open("job/plan.json") as f:
        plan = json.load(f)

    def on_error(exc):
        if isinstance(exc, ForbiddenImport):
            manifest["status"] = "forbidden"
        elif isinstance(exc, MemoryError):
            manifest["status"] = "memory"
        return describe(exc, sub_path)

    with open(os.path.join("out", "steps.jsonl"), "w") as steps:

        def record(step_id, entry):  # one line per step, flushed: a timeout keeps earlier steps
            steps.write(json.dumps({"id": step_id, "entry": entry}) + "\n")
            steps.flush()

        driver.run(plan, module, record, on_error)
    manifest["forbidden"] = guard.attempts
    write_json(out_manifest, manifest)


if __name__ == "__main__":
    main()
