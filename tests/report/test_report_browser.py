"""The report in a real headless Chromium: the page loads without console errors (uncaught exceptions,
CSP violations, failed loads), the DOM has the SVG graph with its nodes, and a screenshot is a real,
non-blank picture in which the graph's node colours are visible.

Chromium comes from Debian's `chromium` package (.ci/run installs it). Without it the test is skipped
locally and fails under CI (env var CI set), so CI never silently skips the browser check.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from proton_exodus.report import build_report

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ENVIRONMENT_GREEN = (0xC8, 0xE6, 0xC9)  # KIND_COLOURS["environment"]: the graph's environment boxes
INSTANCE_ORANGE = (0xFF, 0xE0, 0xB2)  # KIND_COLOURS["service_instance"]
HEADER_BLUE = (0x17, 0x32, 0x4D)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is not installed but CI is set: .ci/run must install Debian's `chromium` package"
            )
        pytest.skip("chromium not installed (apt-get install chromium); CI installs it")
    return path


def run_chromium(binary: str, url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """One headless run with console logging on stderr; a fresh profile each time."""
    args = [binary, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, url]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def console_lines(stderr: str) -> list[str]:
    """Console messages Chromium logged (console.*, uncaught exceptions, CSP or load failures)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB/RGBA PNG, unfiltered."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if ctype == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG format depth={depth} colour={colour}"
            channels = 3 if colour == 2 else 4
        elif ctype == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytes(width * channels)
    for y in range(height):
        start = y * (stride + 1)
        rows.append(_unfilter(raw[start], raw[start + 1 : start + 1 + stride], prev, channels))
        prev = rows[-1]
    return width, height, rows


def _unfilter(kind: int, line: bytes, prev: bytes, bpp: int) -> bytes:
    """Undo one scanline's PNG filter (None, Sub, Up, Average, Paeth)."""
    if kind == 0:
        return line
    if kind == 2:
        return bytes((x + b) & 0xFF for x, b in zip(line, prev, strict=True))
    out = bytearray(line)
    for i in range(len(out)):
        a = out[i - bpp] if i >= bpp else 0
        if kind == 1:
            out[i] = (out[i] + a) & 0xFF
        elif kind == 3:
            out[i] = (out[i] + ((a + prev[i]) >> 1)) & 0xFF
        else:
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            out[i] = (out[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    return bytes(out)


def colours(width: int, rows: list[bytes], channels: int) -> dict[tuple[int, int, int], int]:
    counts: dict[tuple[int, int, int], int] = {}
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 2):
            rgb = (row[x], row[x + 1], row[x + 2])
            counts[rgb] = counts.get(rgb, 0) + 1
    return counts


@pytest.fixture(scope="module")
def report_html(estate_dirs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    snapshot, plan = estate_dirs
    out = tmp_path_factory.mktemp("browser") / "report.html"
    build_report(snapshot, plan_dir=plan, out=out)
    return out


def test_console_scan_catches_errors(chromium: str, tmp_path: Path) -> None:
    """Positive control: the stderr scan really sees console errors and uncaught exceptions."""
    page = tmp_path / "probe.html"
    page.write_text('<!DOCTYPE html><p>x</p><script>console.error("probe-error"); missingFn();</script>')
    result = run_chromium(chromium, page.as_uri(), tmp_path / "profile", "--dump-dom")
    found = "\n".join(console_lines(result.stderr))
    assert "probe-error" in found and "Uncaught ReferenceError" in found, result.stderr[-2000:]


def test_report_loads_without_console_errors_and_has_the_graph(
    chromium: str, report_html: Path, tmp_path: Path
) -> None:
    result = run_chromium(chromium, report_html.as_uri(), tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    dom = result.stdout
    assert '<svg id="estate-graph"' in dom
    graph = dom[dom.index('<svg id="estate-graph"') : dom.index("</svg>")]
    assert graph.count("<rect") >= 15 and graph.count("<path") >= 15
    for section in ('id="estate"', 'id="audit"', 'id="waves"', 'id="findings"'):
        assert section in dom


def test_screenshot_is_a_real_picture_with_the_graph_visible(
    chromium: str, report_html: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "report.png"
    result = run_chromium(
        chromium,
        report_html.as_uri(),
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1400,2000",
        "--hide-scrollbars",
    )
    assert shot.is_file(), result.stderr[-2000:]
    assert console_lines(result.stderr) == []
    data = shot.read_bytes()
    width, height, rows = png_pixels(data)
    assert (width, height) == (1400, 2000)
    channels = len(rows[0]) // width
    seen = colours(width, rows, channels)
    assert len(seen) > 50, "screenshot is (nearly) blank"
    assert seen.get(HEADER_BLUE, 0) > 1000, "page header not painted"
    assert seen.get(ENVIRONMENT_GREEN, 0) > 200, "graph's environment boxes not visible in the first screen"


PROBE = """<pre id="layout-probe"></pre><script>
const svg = document.getElementById("estate-graph"), box = svg.getBoundingClientRect();
document.getElementById("layout-probe").textContent = JSON.stringify({
  scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
  innerWidth: window.innerWidth, svgWidth: box.width, svgRight: box.right,
  viewBoxWidth: svg.viewBox.baseVal.width, nodes: svg.querySelectorAll("#nodes > g").length});
</script>"""


def measure(binary: str, page: Path, profile: Path, width: int) -> dict[str, float]:
    """Layout figures of `page` in a `width` px wide window, read by a probe script run in a copy
    (the report itself allows no script)."""
    import json
    import re

    html = page.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace(
        "</body>", PROBE + "</body>"
    )
    probe = page.with_name("probe-" + page.name)
    probe.write_text(html, encoding="utf-8")
    result = run_chromium(
        binary, probe.as_uri(), profile, "--dump-dom", f"--window-size={width},1000", "--hide-scrollbars"
    )
    found = re.search(r'<pre id="layout-probe">([^<]*)</pre>', result.stdout)
    assert found and found.group(1), result.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report `exodus demo` writes, rebuilt from the committed demo output (sample_exports/)."""
    from tests.conftest import REPO

    samples = REPO / "sample_exports"
    out = tmp_path_factory.mktemp("demo-report") / "report.html"
    build_report(
        samples / "snapshot", plan_dir=samples / "plan", verify_file=samples / "verify.json", out=out
    )
    return out


def test_demo_graph_fits_a_1400_px_window_unscaled(chromium: str, demo_report: Path, tmp_path: Path) -> None:
    """The demo estate's whole graph (every resource but stacks, laid out by dot) is on the page with no
    horizontal scroll, and drawn at (nearly) full size: its 11 px labels stay readable."""
    figures = measure(chromium, demo_report, tmp_path / "profile", 1400)
    assert figures["innerWidth"] == 1400, figures
    assert figures["nodes"] >= 60, figures  # the demo's 73 resources, not a summary
    assert figures["scrollWidth"] <= figures["clientWidth"], figures
    assert figures["svgRight"] <= figures["clientWidth"], figures
    assert figures["svgWidth"] >= 0.9 * figures["viewBoxWidth"], figures  # not shrunk to fit
    shot = tmp_path / "demo-report.png"
    result = run_chromium(
        chromium,
        demo_report.as_uri(),
        tmp_path / "profile2",
        f"--screenshot={shot}",
        "--window-size=1400,1600",
        "--hide-scrollbars",
    )
    assert shot.is_file() and console_lines(result.stderr) == [], result.stderr[-2000:]
    width, _, rows = png_pixels(shot.read_bytes())
    seen = colours(width, rows, len(rows[0]) // width)
    assert seen.get(ENVIRONMENT_GREEN, 0) > 200 and seen.get(INSTANCE_ORANGE, 0) > 1000, (
        "graph boxes not painted"
    )
