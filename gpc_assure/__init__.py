"""gpc-assure: conformance suite for GP Connect Access Document, Retrieve a document."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gpc-assure")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"
