"""A seccomp filter for the sandbox, built with libseccomp through ctypes (no Python bindings
needed) and exported as the BPF program that ``bwrap --seccomp FD`` loads.

Defence in depth only: the namespaces already hide the network and the host's processes. The
filter refuses (EPERM) the calls a numerical exercise never makes and that widen the kernel's
attack surface: debugging other processes, mounting, loading kernels/modules/BPF, performance
counters, keyrings, new namespaces, and IPv4/IPv6 sockets. Everything else is allowed: Python,
NumPy and PyTorch use a wide, version-dependent set of calls, and an allow-list that misses one
would fail honest submissions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import socket

BLOCKED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "io_uring_setup",
    "open_by_handle_at",
)
BLOCKED_SOCKET_FAMILIES = (socket.AF_INET, socket.AF_INET6)
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO = 0x00050000
SCMP_CMP_EQ = 4


class _ArgCmp(ctypes.Structure):  # struct scmp_arg_cmp
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _lib() -> ctypes.CDLL | None:
    # the soname first: find_library runs `ldconfig -p` in a subprocess (~30 ms on every grade)
    try:
        return ctypes.CDLL("libseccomp.so.2")
    except OSError:
        pass
    name = ctypes.util.find_library("seccomp")
    if name:
        try:
            return ctypes.CDLL(name)
        except OSError:
            return None
    return None


@functools.cache
def bpf_program() -> bytes | None:
    """The filter as raw BPF, or None when libseccomp is not available (cached per process)."""
    lib = _lib()
    if lib is None:
        return None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not ctx:
        return None
    deny = SCMP_ACT_ERRNO | errno.EPERM
    try:
        for name in BLOCKED:
            nr = lib.seccomp_syscall_resolve_name(name.encode())
            if nr >= 0 and lib.seccomp_rule_add_array(ctx, deny, nr, 0, None) != 0:
                return None
        nr = lib.seccomp_syscall_resolve_name(b"socket")
        for family in BLOCKED_SOCKET_FAMILIES:
            cmp = (_ArgCmp * 1)(_ArgCmp(0, SCMP_CMP_EQ, family, 0))
            if lib.seccomp_rule_add_array(ctx, deny, nr, 1, cmp) != 0:
                return None
        r, w = os.pipe()
        try:
            rc = lib.seccomp_export_bpf(ctx, w)
            os.close(w)
            w = -1
            chunks = []
            while chunk := os.read(r, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(r)
            if w >= 0:
                os.close(w)
        return b"".join(chunks) if rc == 0 else None
    finally:
        lib.seccomp_release(ctx)


def program_fd() -> int | None:
    """A fresh, readable fd holding the BPF program (bwrap reads and closes it), or None."""
    prog = bpf_program()
    if prog is None:
        return None
    fd = os.memfd_create("mlprep-seccomp", 0)
    os.write(fd, prog)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
