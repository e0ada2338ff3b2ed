"""Which kernels' pages are gone (tariffmodel.dashboards.server.PageWatch): by hand, at the
boundaries, and for any sequence of looks (a preheated kernel is never taken, nor a kernel
with a page connected)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tariffmodel.dashboards.server import PageWatch


def test_a_page_closed_is_gone_after_the_grace_and_not_before():
    watch = PageWatch(gone_after=15, never_opened_after=60)
    watch.handed_over("k", now=0.0)
    assert watch.gone({"k": 1}, now=2.0) == []
    assert watch.gone({"k": 0}, now=7.0) == []  # closed after 2 s: 5 s ago
    assert watch.gone({"k": 0}, now=16.999) == []  # 14.999 s
    assert watch.gone({"k": 0}, now=17.0) == ["k"]  # 15 s exactly


def test_a_page_that_reconnects_within_the_grace_keeps_its_kernel():
    watch = PageWatch(gone_after=15, never_opened_after=60)
    watch.gone({"k": 1}, now=0.0)
    assert watch.gone({"k": 0}, now=10.0) == []
    assert watch.gone({"k": 1}, now=14.0) == []  # a reload, a network break
    assert watch.gone({"k": 0}, now=28.0) == []  # 14 s since seen open
    assert watch.gone({"k": 0}, now=29.0) == ["k"]


def test_a_page_that_never_opens_its_websocket_is_gone_after_its_own_grace():
    watch = PageWatch(gone_after=15, never_opened_after=60)
    watch.handed_over("k", now=100.0)
    assert watch.gone({"k": 0}, now=159.9) == []
    assert watch.gone({"k": 0}, now=160.0) == ["k"]


def test_a_websocket_opened_and_closed_between_two_looks_counts_from_the_event():
    watch = PageWatch(gone_after=15, never_opened_after=60)
    watch.handed_over("k", now=0.0)
    watch.seen_open("k", now=3.0)  # opened and closed between looks
    assert watch.gone({"k": 0}, now=5.0) == []
    assert watch.gone({"k": 0}, now=18.0) == ["k"]  # 15 s after it was seen, not 60


def test_kernels_no_longer_running_are_forgotten():
    watch = PageWatch(gone_after=15, never_opened_after=60)
    watch.handed_over("k", now=0.0)
    watch.gone({"k": 1}, now=1.0)
    assert watch.gone({}, now=2.0) == []
    # the same id again (never in practice) starts afresh: a pool kernel, never gone
    assert watch.gone({"k": 0}, now=1000.0) == []


looks = st.lists(
    st.tuples(st.floats(0, 50), st.integers(0, 3)), min_size=1, max_size=30
)  # (seconds since the previous look, websockets open)


@given(looks)
def test_a_kernel_that_never_had_a_page_is_never_gone(seq):
    watch = PageWatch(gone_after=15, never_opened_after=60)
    now = 0.0
    for step, count in seq:
        now += step
        assert watch.gone({"pool": 0, "page": count}, now=now).count("pool") == 0


@given(looks)
def test_a_kernel_with_a_page_connected_is_never_gone(seq):
    watch = PageWatch(gone_after=15, never_opened_after=60)
    watch.handed_over("page", now=0.0)
    now = 0.0
    for step, count in seq:
        now += step
        gone = watch.gone({"page": count}, now=now)
        if count > 0:
            assert gone == []
