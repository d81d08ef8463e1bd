"""The garbage collector paused for a bulk import comes back on when the last import ends, in
whichever order overlapping imports finish, and stays off if it was off before."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from esgledger.collector import collection_paused


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_nested_and_overlapping_blocks_resume_the_collector_once_all_end() -> None:
    gc.enable()
    first_inside, release = threading.Event(), threading.Event()

    def other_import() -> None:
        with collection_paused():
            first_inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_import)
    with collection_paused():
        assert not gc.isenabled()
        thread.start()
        assert first_inside.wait(10)
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's import still runs
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_an_error_inside_still_resumes_it_and_a_disabled_collector_stays_off() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("bad row")
    assert gc.isenabled()
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
