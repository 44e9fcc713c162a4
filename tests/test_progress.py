"""Progress of long work (klongtorch/display/progress.py), in-process with a recording display: the
outermost counted loop is tracked, nested ones are not, reports are final at the end, and
nothing is tracked outside `watched`."""
import io
import time

import pytest

from klongtorch import Klong
from klongtorch.display import progress


class Recorder:
    def __init__(self):
        self.reports = []
        self.closed = False

    def show(self, report):
        self.reports.append(report)

    def close(self):
        self.closed = True


@pytest.fixture
def k():
    k = Klong(device="cpu")
    k('.pyf("time";["sleep"])')
    return k


@pytest.fixture
def quick(monkeypatch):
    """Progress shown after 0.2 s rather than 2 s, updated every 0.05 s."""
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.2)
    monkeypatch.setattr(progress, "LOOP_AFTER", 0.1)
    monkeypatch.setattr(progress, "EVERY", 0.05)


def test_the_outermost_loop_is_tracked_to_its_end(k, quick):
    shown = Recorder()
    with progress.watched(shown):
        value = k("{[a];a::x;{sleep(0.001)}'!3;x}'!150")   # each step runs a nested each
    assert value.tolist() == list(range(150))
    reports = shown.reports
    assert len(reports) >= 3 and shown.closed
    assert all(r.label == "each" and r.total == 150 for r in reports)  # never the inner one
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    assert not any(r.final for r in reports[:-1])
    last = reports[-1]
    assert last.final and last.done == 150 and last.total in (None, 150)
    assert "150/150" in last.text() and "100%" in last.text()
    assert "ETA" in reports[0].text() and "ETA" not in last.text()
    assert '<progress value="150" max="150"' in last.html()


def test_iterate_counts_its_steps(k, quick):
    shown = Recorder()
    with progress.watched(shown):
        assert k("60{sleep(0.01);x+1}:*0") == 60
    assert shown.reports and shown.reports[-1].label == "iterate"
    assert shown.reports[-1].done == 60 and shown.reports[-1].final


def test_a_short_cell_shows_nothing(k):
    shown = Recorder()
    with progress.watched(shown):
        k("{x*x}'!1000")
    assert shown.reports == [] and shown.closed


def test_nothing_is_tracked_unwatched(k):
    assert not progress.watching
    assert k("{x}'!5").tolist() == [0, 1, 2, 3, 4]
    with progress.loop([1, 2], 2, "each") as items:      # outside watched: the list itself
        assert items == [1, 2]


def test_an_error_leaves_the_loop_stopped_and_watching_restored(k, quick):
    shown = Recorder()
    with pytest.raises(Exception):
        with progress.watched(shown):
            k("{sleep(0.01);:[x<40;x;1+\"a\"]}'!100")
    assert shown.reports and shown.reports[-1].final
    assert shown.reports[-1].done < 100 and "(stopped)" in shown.reports[-1].text()
    assert not progress.watching and progress._loop is None


def test_stage_is_shown_at_once_then_finalized():
    shown = Recorder()
    with progress.watched(shown):
        with progress.stage(".compile: compiling"):
            time.sleep(0.05)
    first, last = shown.reports
    assert first.text().startswith(".compile: compiling") and "so far" in first.text()
    assert last.final and "done in" in last.text()


def test_report_text():
    r = progress.Report("each", 250, 1000, 5.0)
    assert r.text() == "each   250/1000   25%  50/s  ETA 15s"
    assert progress.Report("iterate", 3, 10, 30.0).text().endswith("10.0 s each  ETA 1m10s")
    assert progress.Report("each", 10, 10, 4000, final=True).text().endswith("in 1h06m")


def test_terminal_display_rewrites_one_line_and_clears_it():
    out = io.StringIO()
    display = progress.TerminalDisplay(out)
    display.show(progress.Report("each", 1, 4, 1.0))
    display.show(progress.Report("each", 2, 4, 2.0))
    display.close()
    assert out.getvalue().count("\r") == 3 and "\n" not in out.getvalue()
    assert out.getvalue().endswith("\r\x1b[K")


def test_jupyter_display_updates_one_output():
    sent = []
    display = progress.JupyterDisplay(lambda kind, content: sent.append((kind, content)))
    for done in (1, 2, 3):
        display.show(progress.Report("each", done, 3, float(done), final=done == 3))
    assert [kind for kind, _ in sent] == ["display_data"] + ["update_display_data"] * 2
    assert len({c["transient"]["display_id"] for _, c in sent}) == 1
    assert sent[-1][1]["data"]["text/plain"].startswith("each  3/3  100%")


def test_an_optimizer_loop_shows_its_loss(k, quick):
    shown = Recorder()
    k("w::5.0;loss::{w^2};opt::.sgd(:w;0.01)")
    with progress.watched(shown):
        losses = k("{sleep(0.005);opt(loss)}'!60")
    last = shown.reports[-1]
    assert last.final and last.done == 60
    assert last.text().endswith(f"loss {float(losses[-1]):.6g}")    # the last step's loss
    assert "loss" in shown.reports[0].text()
