"""The way back, with no AWS: what a deployed or rendered script holds, read as input from a
stranger (docs/service-commands.md).

* a script this library built: its files, steps and options (``inspect_script``; ``lcc
  inspect`` of a script, template or cdk.out);
* the hand-made method, a wrapper around a base64 tar (``read_article``);
* comparisons of two scripts by files and steps (``lcc diff``), the runner's lines in a log
  (``RunLog``, ``lcc logs``);
* a pulled folder: staged beside its target, built again and checked, then moved into place
  (``pull_folders``, ``lcc pull``).

The service layer (lcc_constructs/service) makes the AWS calls and hands the text here.
"""

from ._compare import Comparison, compare
from ._folder import Pulled, PulledFolder, pull_folders, target_problem
from ._handmade import Article, NotArticle, read_article
from ._runlog import Run, RunLog
from ._script import (
    HOOKS,
    InspectedScript,
    content_text,
    decode_content,
    inspect_all,
    inspect_path,
    inspect_script,
)
from ._scripts import ReadScript, read_script
from ._targets import TargetError, assembly_scripts, is_assembly, script_file

__all__ = [
    "HOOKS",
    "Article",
    "Comparison",
    "InspectedScript",
    "NotArticle",
    "Pulled",
    "PulledFolder",
    "ReadScript",
    "Run",
    "RunLog",
    "TargetError",
    "assembly_scripts",
    "compare",
    "content_text",
    "decode_content",
    "inspect_all",
    "inspect_path",
    "inspect_script",
    "is_assembly",
    "pull_folders",
    "read_article",
    "read_script",
    "script_file",
    "target_problem",
]
