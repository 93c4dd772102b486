"""`make lab` as a workshop meets it: JupyterLab serves the MyST chapters as notebooks.

Starts the JupyterLab server of this environment on a free port, opens a chapter
through the contents API (jupytext turns the .md into a notebook), checks that the
installed settings make "Jupytext Notebook" the default viewer of Markdown, and runs
a widget in a kernel started by the server, moving its control.
"""

import json
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = uuid.uuid4().hex
CHAPTER = "chapters/wudhikarn2021_counts.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab():
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.allow_root=True",  # CI containers run as root
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(base, "/api/status")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _get(base: str, path: str) -> dict:
    req = Request(base + path, headers={"Authorization": f"token {TOKEN}"})
    with urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _post(base: str, path: str, body: dict) -> dict:
    req = Request(
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def test_a_myst_chapter_opens_as_a_notebook(lab):
    model = _get(lab, f"/api/contents/{CHAPTER}?type=notebook&content=1")
    assert model["type"] == "notebook"
    cells = model["content"]["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert len(code) > 5
    assert any("static_then_interactive" in "".join(c["source"]) for c in code)


def test_markdown_opens_in_the_notebook_viewer_by_default(lab):
    settings = _get(lab, "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    # overrides.json changes the schema's defaults (what a fresh user gets)
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers.get("markdown") == "Jupytext Notebook", viewers


def _execute(base: str, kernel_id: str, code: str) -> str:
    websocket = pytest.importorskip("websocket")
    ws = websocket.create_connection(
        base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={TOKEN}",
        timeout=120,
    )
    msg_id = uuid.uuid4().hex
    ws.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": "test",
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": False,
                    "user_expressions": {},
                    "allow_stdin": False,
                },
            }
        )
    )
    text = []
    try:
        while True:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                text.append("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(text)  # iopub idle: every output of the request has come
    finally:
        ws.close()


def test_a_widget_redraws_in_a_kernel_started_by_the_server(lab):
    kernel = _post(lab, "/api/kernels", {"name": "python3"})
    code = (
        "import ipywidgets as ipw\n"
        "from carbook.widgets import static_then_interactive\n"
        "s = ipw.IntSlider(value=2)\n"
        "ui = static_then_interactive(lambda n: n * 21, n=s);\n"
        "s.value = 4\n"
        "print('redrawn:', ui.output.outputs[0]['data']['text/plain'])\n"
    )
    assert "redrawn: 84" in _execute(lab, kernel["id"], code)
