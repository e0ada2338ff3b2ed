"""Input files made to hang, exhaust or mislead the readers: each is refused at once with the
file, the line or key and the rule (never a wait, a traceback or a number read wrong)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
from pathlib import Path

import pytest
import yaml

import tariffmodel as tm
from tariffmodel.inputs.csvio import read_csv
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.yamlio import read_yaml

DATA = Path(__file__).resolve().parents[2] / "data"
BASE = DATA / "scenarios" / "nedc-base.yaml"


def base_text() -> str:
    """The base case's file, its linked files named by absolute path (for a copy elsewhere)."""
    return BASE.read_text(encoding="utf-8").replace("../", str(BASE.parent.parent) + "/")


@contextlib.contextmanager
def within(seconds: int):
    """Fail (not hang) when the block takes longer than ``seconds``."""

    def late(*_):
        raise TimeoutError(f"still reading after {seconds} s")

    old = signal.signal(signal.SIGALRM, late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("reader", [read_yaml, read_csv])
def test_a_pipe_is_refused_without_waiting(tmp_path, reader):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)  # no writer: a plain read would wait for ever
    with within(5), pytest.raises(InputError, match="not a regular file") as err:
        reader(fifo)
    assert str(fifo) in str(err.value)


@pytest.mark.parametrize("reader", [read_yaml, read_csv])
def test_a_device_is_refused_unread(tmp_path, reader):
    link = tmp_path / "inputs.csv"
    link.symlink_to("/dev/zero")  # endless: a plain read fills the memory
    with within(5), pytest.raises(InputError, match="not a regular file"):
        reader(link)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="Is a directory"):
        read_yaml(tmp_path)


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_alias_bomb_is_refused_before_it_is_built(tmp_path):
    lines = ["l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for k in range(1, 12):  # 10**12 values once expanded
        lines.append(f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 10)}]")
    with within(5), pytest.raises(InputError, match=r"an alias \(\*l0, line 2\)"):
        read_yaml(write(tmp_path, "\n".join(lines)))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("? [a, b]\n: 1\n", r"a key must be a word or a number, not a list or mapping \(line 1\)"),
        ("a: 1\n? {b: 2}\n: 3\n", r"not a list or mapping \(line 2\)"),
        ("~: 1\n", r"a key must be a word or a number, not '~' \(line 1\)"),
        ("true: 1\n", r"not 'true' \(line 1\)"),
    ],
)
def test_a_key_that_is_not_a_word_or_number_is_refused(tmp_path, text, rule):
    with pytest.raises(InputError, match=rule):
        read_yaml(write(tmp_path, text))


def test_a_year_written_twice_as_number_and_text_is_a_duplicate(tmp_path):
    with pytest.raises(InputError, match=r"duplicate key \(line 3\)") as err:
        read_yaml(write(tmp_path, 'TL:\n  2025: 0.080\n  "2025": 0.5\n'))
    assert err.value.key == "2025"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("010", 10),  # YAML 1.1 read octal 8
        ("1:20", "1:20"),  # YAML 1.1 read sexagesimal 80: text here, refused where a number is due
        ("366:40:00", "366:40:00"),
        ("0x1F", 31),
        ("0o17", 15),
        ("-12", -12),
        ("1_320_000", 1320000),
        ("1.3e9", 1.3e9),
    ],
)
def test_whole_numbers_are_read_as_yaml_1_2(tmp_path, written, read):
    value = read_yaml(write(tmp_path, f"v: {written}\n"))["v"]
    assert value == read and type(value) is type(read)


def test_a_sexagesimal_count_is_refused_where_a_number_is_due(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(base_text(), encoding="utf-8")
    tm.load_scenario(path)  # the copy loads as it is
    bad = tmp_path / "bad.yaml"
    bad.write_text(path.read_text().replace("X: 0.015", "X: 0:01"), encoding="utf-8")
    with pytest.raises(InputError, match=r"notified\.X.*'0:01'"):
        tm.load_scenario(bad)


@pytest.mark.parametrize(
    ("row", "line"),
    [('2026,"two\nlines",1', 3), ('2026,"open,1', 3), ('"', 3), ('2026,"a"b,1', 3)],
)
def test_a_csv_row_is_one_line_and_its_quotes_close(tmp_path, row, line):
    path = tmp_path / "t.csv"
    path.write_text(f"# comment\nyear,name,value\n{row}\n2027,b,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"line {line} is not a readable CSV row"):
        read_csv(path)


def test_a_quoted_cell_with_a_comma_on_its_line_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('year,name\n2026,"a, b ""c"""\n', encoding="utf-8")
    assert read_csv(path).records == [{"year": "2026", "name": 'a, b "c"'}]


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("NEDC \x1b[31mred", "U\\+001B \\(position 6\\)"),
        ("bell\x07", "U\\+0007"),
        ("cr\rback", "U\\+000D"),
        ("\u202edesab", "U\\+202E \\(position 1\\)"),
        ("two\nlines", "a name is one line"),
    ],
)
def test_a_name_with_control_characters_is_refused(tmp_path, name, rule):
    text = base_text()
    start = text.index("\nname:") + 1
    end = text.index("\n", start)
    path = tmp_path / "s.yaml"
    path.write_text(text[:start] + f"name: {yaml.safe_dump(name).strip()}" + text[end:], "utf-8")
    with pytest.raises(InputError, match=rule) as err:
        tm.load_scenario(path)
    assert err.value.key == "name"


@pytest.mark.parametrize(
    ("written", "rule"),
    [("[1, 2]", "a number is due, not a list$"), ("true", "a number is due, not bool True$")],
)  # fmt: skip
def test_a_value_of_the_wrong_kind_is_named_once(tmp_path, written, rule):
    text = base_text()
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("X: 0.015", f"X: {written}"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        tm.load_scenario(path)
    assert err.value.key == "notified.X"
    assert re.search(rule, err.value.rule), err.value.rule


@pytest.mark.parametrize("key", ["deposit_rates", "amr", "wpra"])
def test_a_linked_pipe_is_named_as_such(tmp_path, key):
    text = base_text()
    os.mkfifo(tmp_path / "pipe")
    start = text.index(f"\n{key}:") + 1
    end = text.index("\n", start)
    path = tmp_path / "s.yaml"
    path.write_text(text[:start] + f"{key}: pipe" + text[end:], encoding="utf-8")
    with within(5), pytest.raises(InputError, match=r"not a regular file .*: pipe") as err:
        tm.load_scenario(path)
    assert err.value.key == key
