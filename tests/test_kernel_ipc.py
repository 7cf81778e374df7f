"""Kernels started by the build and by nbval use Unix sockets outside the tree (tools/kernel_ipc.py).

CI once failed because two notebooks' kernels, started at the same moment in two Sphinx processes,
chose the same TCP port; the second kernel died before it could answer.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager, KernelManager, start_new_kernel

ROOT = Path(__file__).resolve().parents[1]


def test_every_kernel_manager_uses_a_fresh_unix_socket_outside_the_tree():
    # conftest.py imported tools/kernel_ipc.py, as nbval's workers do.
    managers = [KernelManager(), KernelManager(), AsyncKernelManager()]
    for km in managers:
        assert km.transport == "ipc"
        path = Path(km.ip)
        assert path.parent == Path(tempfile.gettempdir())
        assert ROOT not in path.parents
        assert len(str(path)) + len("-65535") < 107        # a Unix socket path's limit
    assert len({km.ip for km in managers}) == len(managers)


def test_a_kernel_over_ipc_answers_and_leaves_no_socket_behind():
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        socket_files = sorted(Path(km.ip).parent.glob(Path(km.ip).name + "-*"))
        assert len(socket_files) == 5                       # shell, iopub, stdin, control, heartbeat
        msg_id = kc.execute("1 + 1")
        reply = kc.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not list(Path(km.ip).parent.glob(Path(km.ip).name + "-*"))


def test_the_parallel_build_script_loads_the_ipc_transport():
    code = ("import runpy, sys; sys.argv = ['x']; sys.path.insert(0, 'tools');"
            "import jupyter_book_parallel;"
            "from jupyter_client.manager import AsyncKernelManager;"
            "print(AsyncKernelManager().transport)")
    env = {k: v for k, v in os.environ.items()}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[-1] == "ipc"
