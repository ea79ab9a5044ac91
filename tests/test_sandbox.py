"""The sandbox's bubblewrap command line: what is mounted, in which order."""

import sys

from lecturekit.sandbox import Limits, Sandbox, describe


def test_tmp_is_mounted_before_what_may_lie_under_it(tmp_path):
    """A checkout or a virtual environment under /tmp must stay visible inside."""
    options = Sandbox(tmp_path, Limits())._bwrap_options()
    tmp = options.index("/tmp", options.index("--tmpfs"))
    binds = [options[i + 2] for i, o in enumerate(options) if o == "--ro-bind"]
    assert sys.prefix in binds
    assert all(options.index(path) > tmp for path in binds if path.startswith("/tmp/"))
    assert options.index(str(tmp_path / "work")) > tmp


def test_the_kernel_gets_no_capabilities_and_no_environment_of_the_grader(tmp_path):
    options = Sandbox(tmp_path, Limits())._bwrap_options()
    assert ["--cap-drop", "ALL"] == options[options.index("--cap-drop") :][:2]
    assert "--unshare-user" in options and "--clearenv" in options
    assert "no capabilities" in describe()
