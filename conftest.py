"""Settings shared by every test, whether pytest is started by `make test` or by hand.

SOURCE_DATE_EPOCH fixes the dates Matplotlib writes into figures, so that nbval compares the
stored outputs of the notebooks (made by `make notebooks` with the same value) byte for byte.
"""
import os

os.environ.setdefault("SOURCE_DATE_EPOCH", "1420070400")
