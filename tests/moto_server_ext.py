"""moto's server with our SageMaker extension (tests/moto_sagemaker_ext.py) loaded first.

Run from the repository root, with the arguments of ``python -m moto.server``:
``python -m tests.moto_server_ext -H 127.0.0.1 -p PORT`` (``tests/servers.py`` does)."""

from moto import server

from . import moto_sagemaker_ext  # noqa: F401  (extends moto's SageMaker when imported)

if __name__ == "__main__":
    server.main()
