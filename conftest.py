"""Settings shared by every test, whether pytest is started by `make test` or by hand.

SOURCE_DATE_EPOCH fixes the dates Matplotlib writes into figures, so that nbval compares the
stored outputs of the notebooks (made by `make notebooks` with the same value) byte for byte.

nbval's kernels use Unix sockets (tools/kernel_ipc.py): `make nbval` starts one kernel per
pytest-xdist worker at the same moment, and kernels choosing TCP ports at once can collide.
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("SOURCE_DATE_EPOCH", "1420070400")

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
import kernel_ipc  # noqa: E402,F401
