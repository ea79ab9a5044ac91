"""The chapters' live widgets, in a real browser: moving a slider redraws the figure it drives.

Headless runs (the book, nbval, papermill) draw `step_through` and `explore` as static figures,
so nothing else checks the path a reader takes: the widgets' JavaScript must load offline,
show the slider, and send each move to the kernel, whose `interactive_output` draws the figure
again. Readers meet two front ends with two major versions of ipywidgets, and both are driven
here: JupyterLab 4 with ipywidgets 8 (the environment pytest runs in, as `make lab` opens it)
and Colab, which has ipywidgets 7.7 and a front end in the classic notebook's style, stood in
for by notebook 6.5 in `.venv/colab` (`make colab-env`; tests/colab/README.md). Chapter 01 runs
with its small parameters in a server started for the test, with Jupyter and IPython
directories of its own and without LECTUREKIT_HEADLESS; every request off loopback is
refused. A screenshot of each is kept in _build/screenshots/ for a person to look at.
"""

import contextlib
import functools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest
import yaml
from loopback import offline

from lecturekit.display import HEADLESS_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTER = ROOT / "chapters" / "01_perceptron.ipynb"
PARAMETERS = yaml.safe_load((ROOT / "tests" / "chapter_parameters.yml").read_text())
SMALL = PARAMETERS["01_perceptron"]["small"]
COLAB_VENV = ROOT / ".venv" / "colab"
CHROMIUM = Path("/usr/bin/chromium")
# No update checks, sync or QUIC probes: the page's own requests are the only ones wanted.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
DESKTOP = {"width": 1280, "height": 900}
# Variables that would make the kernel headless or let the user's own Jupyter set-up in.
LEFT_OUT_OF_SERVER_ENV = [
    HEADLESS_VARIABLE, "MPLBACKEND", "PYTHONPATH", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH",
    "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTER_PLATFORM_DIRS",
]  # fmt: skip
NUM_MOVES = 3  # one step to the right each, each waited for
# Seconds. Generous: the machine may have two cores, shared with other tests.
SERVER_TIMEOUT = 60
KERNEL_TIMEOUT = 60
RUN_ALL_TIMEOUT = 180
FIGURE_TIMEOUT = 30
STOP_TIMEOUT = 20
COLAB_ENV_TIMEOUT = 900


@dataclass(frozen=True)
class FrontEnd:
    """How to start one notebook front end, and the JavaScript and CSS that drive it."""

    name: str
    bin: Path  # the virtual environment's bin/: its jupyter, and the kernel's python
    command: tuple[str, ...]  # {port}, {token} and {root} are filled in
    notebook_url: str  # {name} and {token} are filled in, after the server's address
    kernel_ready: str  # JS: the notebook's kernel is idle and widgets can reach it
    run_all: str  # JS: start running every cell
    all_ran: str  # JS: no cell is left to run (after an error the rest are skipped)
    outputs: str  # JS: each code cell's outputs, as in the .ipynb file
    slider_handle: str  # CSS: the slider's handle, which takes arrow keys
    output_area: str  # CSS: the output widget that the slider draws its figure in

    @property
    def figure(self) -> str:
        return f"{self.output_area} img"


JUPYTERLAB = FrontEnd(
    name="jupyterlab",
    bin=Path(sys.executable).parent,
    command=(
        "jupyter-lab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        "--port={port}",
        "--port-retries=0",  # a port taken since free_port() is an error, not another port
        "--IdentityProvider.token={token}",
        "--ServerApp.root_dir={root}",
        # window.jupyterapp, the application object, to run cells and read their outputs.
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",
        "--LabApp.news_url=None",
    ),
    notebook_url="/lab/tree/{name}?token={token}",
    kernel_ready="""() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session
        ?.kernel?.status === "idle" """,
    run_all="""() => {
        window.allCellsRan = false;
        jupyterapp.commands.execute("notebook:run-all-cells")
            .finally(() => { window.allCellsRan = true; });
    }""",
    all_ran="() => window.allCellsRan === true",
    outputs="""() => {
        const cells = jupyterapp.shell.currentWidget.content.model.cells;
        return Array.from({ length: cells.length }, (_, i) => cells.get(i))
            .filter((cell) => cell.type === "code").map((cell) => cell.outputs.toJSON());
    }""",
    slider_handle=".widget-slider .noUi-handle",
    output_area=".widget-output",
)

CLASSIC_NOTEBOOK = FrontEnd(
    name="classic",
    bin=COLAB_VENV / "bin",
    command=(
        "jupyter-notebook",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        "--port={port}",
        "--port-retries=0",
        "--NotebookApp.token={token}",
        "--NotebookApp.notebook_dir={root}",
    ),
    notebook_url="/notebooks/{name}?token={token}",
    # The widgets nbextension registers its comm target once it has loaded.
    kernel_ready="""() => window.Jupyter?.notebook?.kernel?.is_connected()
        && Jupyter.notebook.kernel.comm_manager.targets["jupyter.widget"] !== undefined
        && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null""",
    run_all="() => { Jupyter.notebook.execute_all_cells(); }",
    all_ran="""() => Jupyter.notebook.get_cells()
        .every((cell) => cell.cell_type !== "code" || cell.input_prompt_number !== "*")""",
    outputs="""() => Jupyter.notebook.get_cells()
        .filter((cell) => cell.cell_type === "code").map((cell) => cell.output_area.outputs)""",
    slider_handle=".widget-slider .ui-slider-handle",
    output_area=".jupyter-widgets-output-area",
)

# On a new kernel the widget manager first asks which widgets exist (comm_info_request). A
# widget that a cell makes before that question is on its way is then loaded twice, and may
# never show; so cells run only once it has been sent (the kernel answers in order).
NOTE_WIDGET_QUESTION = """
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
    const text = typeof data === "string" ? data
        : data instanceof Blob ? "" : new TextDecoder().decode(data);
    if (text.includes('"comm_info_request"')) window.widgetsAskedFor = true;
    return send.call(this, data);
};"""
WIDGETS_ASKED_FOR = "() => window.widgetsAskedFor === true"
# The figure as the browser reads its address (the src attribute may hold line breaks).
FIGURE_SOURCE = "(selector) => document.querySelector(selector).src"
# A figure not drawn before, and decoded, so that the screenshot shows it.
NEW_FIGURE = """([selector, before]) => {
    const image = document.querySelector(selector);
    return image !== null && !before.includes(image.src) && image.complete;
}"""
READOUT_SHOWS = """(value) => {
    const readout = document.querySelector(".widget-readout");
    return readout !== null && readout.textContent.trim() === String(value);
}"""


@dataclass
class Server:
    url: str
    token: str
    process: subprocess.Popen
    log: Path


@pytest.fixture(params=[JUPYTERLAB, CLASSIC_NOTEBOOK], ids=lambda front_end: front_end.name)
def front_end(request):
    if request.param is CLASSIC_NOTEBOOK:
        if not COLAB_VENV.exists():
            pytest.skip(f"no {COLAB_VENV.relative_to(ROOT)}: `make colab-env` builds it")
        wait_for_colab_env()
    return request.param


@pytest.fixture
def server(front_end, tmp_path):
    """A Jupyter server for ``front_end`` on loopback, its notebook chapter 01 made small."""
    root = tmp_path / "notebooks"
    root.mkdir()
    write_small_chapter(root / CHAPTER.name)
    env = private_jupyter_env(tmp_path)
    if front_end is CLASSIC_NOTEBOOK:
        serve_classic_widgets_js(env)
    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(front_end.bin / front_end.command[0]),
        *(part.format(port=port, token=token, root=root) for part in front_end.command[1:]),
    ]
    log = tmp_path / "server.log"
    with log.open("w") as log_file:
        # A process group of its own, which stop() signals as a whole.
        process = subprocess.Popen(
            command, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        running = Server(f"http://127.0.0.1:{port}", token, process, log)
        wait_until_serving(running)
        yield running
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "the live widget tests need Debian's chromium (make test installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_moving_the_slider_redraws_the_figure(front_end, server, browser):
    page = browser.new_page(viewport=DESKTOP)
    refused, page_errors = [], []
    page.route("**/*", functools.partial(offline, refused))
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.add_init_script(NOTE_WIDGET_QUESTION)
    seen = functools.partial(what_was_seen, server, page_errors, refused)
    screenshot = SCREENSHOTS / f"widgets-{front_end.name}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(server.url + front_end.notebook_url.format(name=CHAPTER.name, token=server.token))
        wait_for(
            page, front_end.kernel_ready, "the kernel was not ready", seen, timeout=KERNEL_TIMEOUT
        )
        asked = "the widget manager did not ask the kernel for its widgets"
        wait_for(page, WIDGETS_ASKED_FOR, asked, seen, timeout=KERNEL_TIMEOUT)
        page.evaluate(front_end.run_all)
        wait_for(
            page, front_end.all_ran, "the cells did not all run", seen, timeout=RUN_ALL_TIMEOUT
        )
        errors = cell_errors(page.evaluate(front_end.outputs))
        assert not errors, "cells failed:\n" + "\n\n".join(errors)
        assert_kernel_runs_in(front_end.bin, server)

        shown = f"() => document.querySelector({json.dumps(front_end.figure)})?.complete"
        wait_for(page, shown, "the widget showed no figure", seen, timeout=FIGURE_TIMEOUT)
        figures = [page.evaluate(FIGURE_SOURCE, front_end.figure)]
        for step in range(1, NUM_MOVES + 1):
            figures.append(move_slider_to(step, page, front_end, figures, seen))
        page.locator(front_end.output_area).scroll_into_view_if_needed()  # for the screenshot
        assert not page_errors, f"errors in the page: {page_errors}"
        assert not refused, f"the page asked for more than loopback: {refused}"
    finally:
        page.screenshot(path=str(screenshot))  # of a failure too
        page.close()


def move_slider_to(step, page, front_end, figures, seen):
    """Press the right arrow on the slider at ``step - 1``; return the figure drawn for ``step``."""
    handle = page.locator(front_end.slider_handle)
    handle.scroll_into_view_if_needed()
    handle.press("ArrowRight")
    moved = f"the slider did not move to {step}"
    wait_for(page, READOUT_SHOWS, moved, seen, arg=step, timeout=FIGURE_TIMEOUT)
    redrawn = f"the slider moved to {step}, but the figure was not drawn again"
    arg = [front_end.figure, figures]
    wait_for(page, NEW_FIGURE, redrawn, seen, arg=arg, timeout=FIGURE_TIMEOUT)
    return page.evaluate(FIGURE_SOURCE, front_end.figure)


def write_small_chapter(path):
    """Chapter 01 with its small parameters in a cell after `parameters`, as papermill does."""
    notebook = nbformat.read(CHAPTER, as_version=4)
    (index,) = [
        i
        for i, cell in enumerate(notebook.cells)
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]
    source = "\n".join(f"{name} = {value!r}" for name, value in SMALL.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(index + 1, cell)
    nbformat.write(notebook, path)


def private_jupyter_env(tmp_path):
    """This process's environment with Jupyter's and IPython's directories all under tmp_path.

    The kernel is the server's own environment's (ipykernel's python3 spec), with the
    numeric pins this process runs under but without LECTUREKIT_HEADLESS.
    """
    env = {name: value for name, value in os.environ.items() if name not in LEFT_OUT_OF_SERVER_ENV}
    directories = {
        "JUPYTER_CONFIG_DIR": tmp_path / "jupyter-config",
        "JUPYTER_DATA_DIR": tmp_path / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": tmp_path / "jupyter-runtime",
        "IPYTHONDIR": tmp_path / "ipython",
    }
    for name, directory in directories.items():
        directory.mkdir()
        env[name] = str(directory)
    # JupyterLab would ask about Jupyter news in a box over the screenshot.
    notification = directories["JUPYTER_CONFIG_DIR"] / "lab" / "user-settings" / "@jupyterlab"
    notification /= "apputils-extension/notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return env


def serve_classic_widgets_js(env):
    """Serve the widgets' JavaScript of ipywidgets 7.7.1's release (widgetsnbextension 3.6.1,
    downloaded by `make colab-env`) from the private data directory, ahead of the 3.6.10 in
    .venv/colab, which Colab lists but whose Output widget does not load in notebook 6.5
    (its own front end does not use that JavaScript; the Makefile says more)."""
    wheels = list((COLAB_VENV / "classic-widgets").glob("widgetsnbextension-3.6.1-*.whl"))
    assert wheels, f"no widgetsnbextension 3.6.1 in {COLAB_VENV}: rebuild it with make colab-env"
    (wheel,) = wheels
    target = Path(env["JUPYTER_DATA_DIR"]) / "nbextensions" / "jupyter-js-widgets"
    target.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in ["extension.js", "extension.js.map"]:
            (target / name).write_bytes(archive.read(f"widgetsnbextension/static/{name}"))
    env["JUPYTER_PREFER_ENV_PATH"] = "0"  # the private data directory first


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(server):
    # No proxy, whatever the environment says: the server is on loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    status = urllib.request.Request(
        f"{server.url}/api/status", headers={"Authorization": f"token {server.token}"}
    )
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"the server stopped (exit {server.process.returncode}):\n{log_tail(server)}"
            )
        with contextlib.suppress(urllib.error.URLError, ConnectionError):
            with opener.open(status, timeout=5) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    pytest.fail(f"the server did not answer within {SERVER_TIMEOUT} s:\n{log_tail(server)}")


def stop(process):
    """Stop the server and its kernels (which run in sessions of their own), however it went."""
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # Jupyter shuts its kernels down on SIGTERM
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    _, alive = psutil.wait_procs(family, timeout=STOP_TIMEOUT)
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()


def wait_for_colab_env():
    """`make colab-env` may be building .venv/colab right now: it is ready once stamped."""
    stamp = COLAB_VENV / ".installed"
    deadline = time.monotonic() + COLAB_ENV_TIMEOUT
    while not stamp.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{COLAB_VENV} has no {stamp.name} after {COLAB_ENV_TIMEOUT} s")
        time.sleep(2)


def wait_for(page, condition, failure, seen, *, timeout, arg=None):
    """Wait until the JavaScript ``condition`` holds; else fail saying ``failure`` and more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(condition, arg=arg, timeout=timeout * 1000)
    except PlaywrightTimeout:
        pytest.fail(f"{failure} within {timeout} s\n{seen()}")


def what_was_seen(server, page_errors, refused):
    return (
        f"errors in the page: {page_errors}\nrefused requests: {refused}\n"
        f"server log:\n{log_tail(server)}"
    )


def log_tail(server, lines=40):
    return "\n".join(server.log.read_text(errors="replace").splitlines()[-lines:])


def cell_errors(outputs_by_cell):
    """Each error output: 'code cell N: ename: evalue' and its traceback's end, uncoloured."""
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    errors = []
    for number, outputs in enumerate(outputs_by_cell, start=1):
        for output in outputs:
            if output.get("output_type") == "error":
                traceback = ansi.sub("", "\n".join(output.get("traceback", [])[-3:]))
                errors.append(
                    f"code cell {number}: {output['ename']}: {output['evalue']}\n{traceback}"
                )
    return errors


def assert_kernel_runs_in(bin_dir, server):
    """The kernels the server started are the front end's environment's own python."""
    pythons = []
    for process in psutil.Process(server.process.pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            command = process.cmdline()
            if "ipykernel_launcher" in command:
                pythons.append(command[0])
    assert pythons, "found no kernel process under the server"
    others = [python for python in pythons if Path(python).parent != bin_dir]
    assert not others, f"kernels run {others}, not the python in {bin_dir}"
