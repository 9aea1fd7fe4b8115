"""newsflow workers: the pure pipeline stages, their offline driver and the Faust stream worker."""

__version__ = "0.1.0"
PIPELINE_VERSION = f"newsflow-{__version__}"
