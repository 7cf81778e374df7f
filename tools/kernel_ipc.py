"""Kernels talk to their parent over Unix sockets, never over TCP ports.

Imported by tools/jupyter_book_parallel.py (Sphinx executes notebooks in several processes at once)
and by the root conftest.py (nbval, which `make nbval` runs in several pytest-xdist workers).

Why: jupyter_client picks a kernel's five TCP ports in the parent by binding port 0, reading the
number the system gave and closing the socket; the kernel binds it a moment later. With several
processes starting kernels at once, another kernel can take the port in between, and the kernel
dies with "Address already in use" (myst-nb reports "Kernel died before replying to kernel_info").
This happened on CI. A Unix socket named by a fresh random path cannot be taken by anyone else.

The sockets live in the system's temporary folder, never in the book's tree (Sphinx would scan
them), and jupyter_client removes them when the kernel shuts down. The path is short: a Unix
socket's path may not exceed 107 bytes.
"""
from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import KernelManager

PREFIX = "ky2015-kernel-"

_original_init = KernelManager.__init__


def _ipc_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.transport = "ipc"
    self.ip = os.path.join(tempfile.gettempdir(), PREFIX + uuid.uuid4().hex[:16])


if not getattr(KernelManager.__init__, "_ky2015_ipc", False):
    _ipc_init._ky2015_ipc = True
    # AsyncKernelManager (myst-nb, nbclient) and KernelManager (nbval) both come through here.
    KernelManager.__init__ = _ipc_init
