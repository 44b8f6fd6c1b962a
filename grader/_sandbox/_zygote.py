"""The pre-forked worker, run inside the sandbox: import numpy (and torch) once, then fork one
child per submission. Standalone like the harness (stdlib + numpy), copied next to it.

    python -I -B _zygote.py CODE_DIR JOBS_DIR SOCK_FD PRIVATE_TMP

The grader sends one JSON line per submission over the AF_UNIX socket SOCK_FD, with two file
descriptors attached (SCM_RIGHTS): where the child's stdout and stderr go. The files live
outside anything the sandbox can see. For each job the zygote forks a child that

- starts a new session, dies with the zygote (PR_SET_PDEATHSIG), closes the socket;
- points stdin at /dev/null and stdout/stderr at the two descriptors;
- sets the same backstop limits as a fresh process (file size, open files, no core dumps)
  and moves into ``JOBS_DIR/<job>``, which holds only the submission, its inputs and ``out/``;
- runs the harness (``_harness.run``): per-exercise limits, import guard, submission, driver.

The zygote waits for the child with the job's wall-clock limit (a pidfd, no polling), kills it
on time-out, then kills every process left below it: it is a child subreaper, so setsid'd and
double-forked descendants are still below it. It wipes the private /tmp (under bubblewrap), and
answers one JSON line: exit status, whether it timed out. Only one job runs at a time in a
zygote, so a submission never sees another's files; the grader wipes JOBS_DIR between jobs.
The zygote is not dumpable (no ptrace, no /proc/PID/mem) from its children.
"""

import array
import contextlib
import ctypes
import json
import os
import resource
import select
import shutil
import signal
import socket
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
LIBC = ctypes.CDLL(None, use_errno=True)


def load(name, path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recv_job(sock):
    """One JSON line and its two descriptors; None at EOF (the grader is done)."""
    buf = b""
    fds = []
    while not buf.endswith(b"\n"):
        data, anc, _flags, _addr = sock.recvmsg(1 << 16, socket.CMSG_SPACE(2 * 4))
        if not data:
            return None
        buf += data
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                a = array.array("i")
                a.frombytes(payload[: len(payload) - len(payload) % a.itemsize])
                fds.extend(a)
    return json.loads(buf), fds


def descendants():
    me = os.getpid()
    children = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        ppid = int(data[data.rfind(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(p))
    found, todo = set(), [me]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in found:
                found.add(c)
                todo.append(c)
    return found


def kill_all():
    """SIGKILL everything below the zygote (until nothing is left), reap it all."""
    for _ in range(50):
        pids = descendants()
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.002)
                break


def wipe(path, keep):
    for name in os.listdir(path):
        p = os.path.join(path, name)
        if any(k == p or k.startswith(p + os.sep) for k in keep):
            continue  # the jobs and code directories are bound below /tmp: the grader wipes them
        with contextlib.suppress(OSError):
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p, ignore_errors=True)
            else:
                os.unlink(p)


def child(harness, header, jobdir, fds, sock, driver_path):
    try:
        os.setsid()
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        sock.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (null, *fds):
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.chdir(jobdir)
        sys.argv = ["submission.py"]
        harness.run(header, None, driver_path)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    except BaseException:  # noqa: BLE001 - the exit code means nothing: the manifest decides
        with contextlib.suppress(BaseException):
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
        os._exit(1)


def wait(pid, limit_s):
    """(status, timed_out): the child's wait status, after killing it on time-out."""
    timed_out = False
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None:
        ready, _, _ = select.select([pidfd], [], [], limit_s)
        os.close(pidfd)
        if not ready:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    else:  # old kernels: poll
        deadline = time.monotonic() + limit_s
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                timed_out = True
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.005)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = 0
    return status, timed_out


def main():
    code_dir, jobs_dir, sock_fd, private_tmp = sys.argv[1:5]
    import numpy  # noqa: F401  (the point of the zygote: paid once)

    torch_wanted = os.environ.get("ZYGOTE_TORCH") == "1"
    if torch_wanted:
        import torch

        torch.set_num_threads(1)
    LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    harness = load("_mlprep_harness", os.path.join(code_dir, "_harness.py"))
    driver_path = os.path.join(code_dir, "_driver.py")
    sock = socket.socket(fileno=int(sock_fd))
    while True:
        msg = recv_job(sock)
        if msg is None:
            return
        job, fds = msg
        jobdir = os.path.join(jobs_dir, os.path.basename(job["job"]))
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            child(harness, job["header"], jobdir, fds, sock, driver_path)
        for fd in fds:
            os.close(fd)
        status, timed_out = wait(pid, float(job["header"]["time_s"]))
        kill_all()
        if private_tmp == "1":
            for d in ("/tmp", "/dev/shm"):
                if os.path.isdir(d):
                    wipe(d, (code_dir, jobs_dir))
        rc = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        reply = {"job": job["job"], "rc": rc, "timed_out": timed_out}
        reply["wall_s"] = time.perf_counter() - t0
        sock.sendall(json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    main()
