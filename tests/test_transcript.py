"""The transcript parser: inputs, expected blocks, narration, directives, ELLIPSIS, scripts."""

import pytest

from autodiff_repl import transcript as tx

LESSON = """\
#: lesson 7  A title here
Intro narration.

#: step make  Make x
Make x.
#: hint  first hint
#: hint  second hint
>>> x = 1
>>> x
1

Comment after.

#: step block
#: demo
#: tolerance 1e-3 1e-5
>>> def f(a):
...     b = a
...
...     return b
>>> f(2)
2
#: check f(1) == 1
"""


def test_lesson_header_steps_and_narration():
    t = tx.parse(LESSON, "l.txt")
    assert (t.number, t.title, t.is_script) == (7, "A title here", False)
    assert t.preamble == "Intro narration."
    assert [s.id for s in t.steps] == ["make", "block"]
    make, block = t.steps
    assert make.title == "Make x" and block.title == "block"
    assert make.hints == ["first hint", "second hint"]
    assert make.sources == ["x = 1", "x"]
    assert make.narration(before_first_input=True) == "Make x."
    assert make.narration(before_first_input=False) == "Comment after."
    assert block.demo and (block.rtol, block.atol) == (1e-3, 1e-5)
    assert block.checks == [tx.Check("f(1) == 1", 23)]


def test_a_check_comment_describes_it_in_words():
    text = ('#: step s\n#: check k == 3  # k should be 3\n#: check k != "#1"\n'
            '#: check f(1) == 1\n>>> k = 3\n')
    first, second, third = tx.parse(text, "t").steps[0].checks
    assert (first.expr, first.words) == ("k == 3", "k should be 3")
    assert first.described == "k should be 3"
    assert (second.expr, second.words) == ('k != "#1"', "")  # a # inside a string is code
    assert third.described == "f(1) == 1 should be True"


def test_exchange_lines_and_expected_block():
    t = tx.parse(LESSON, "l.txt")
    x_echo = t.steps[0].exchanges[1]
    assert (x_echo.line, x_echo.want, x_echo.want_start, x_echo.want_end) == (9, ("1",), 9, 10)
    definition = t.steps[1].exchanges[0]
    assert definition.source == "def f(a):\n    b = a\n\n    return b"
    assert definition.want == ()


def test_expected_block_ends_at_blank_line_prompt_or_directive():
    t = tx.parse(">>> a\n1\n\nnarration\n>>> b\n2\n>>> c\n3\n#: hint h\n", "t")
    wants = [ex.want for ex in t.exchanges]
    assert wants == [("1",), ("2",), ("3",)]
    assert t.steps[0].id == "intro" and t.steps[0].hints == ["h"]


def test_bare_ellipsis_after_input_is_expected_output():
    t = tx.parse(">>> graph y\n...\n", "t")
    assert t.exchanges[0].source == "graph y"
    assert t.exchanges[0].want == ("...",)


def test_blankline_marker():
    t = tx.parse(">>> print('a\\n\\nb')\na\n<BLANKLINE>\nb\n", "t")
    assert t.exchanges[0].want == ("a", "", "b")
    assert tx.format_want(["a", "", "b"]) == ["a", tx.BLANKLINE, "b"]


@pytest.mark.parametrize("text, message", [
    ("#: stpe x\n>>> 1\n", "unknown or empty directive"),
    ("#: step\n>>> 1\n", "needs an id"),
    ("#: step a\n#: step a\n", "used twice"),
    ("#: tolerance big\n", "RTOL"),
])
def test_malformed_directives_name_file_and_line(text, message):
    with pytest.raises(tx.TranscriptError, match=message) as info:
        tx.parse(text, "bad.txt")
    assert str(info.value).startswith("bad.txt:")


def test_plain_script_has_no_inputs():
    assert not tx.has_inputs("x = 1\nx\n")
    assert tx.parse("x = 1\n", "s").is_script


@pytest.mark.parametrize("want, got, ok", [
    (["a", "b"], ["a", "b"], True),
    (["a", "b"], ["a", "c"], False),
    (["..."], [], True),
    (["..."], ["x", "y"], True),
    (["a", "...", "z"], ["a", "z"], True),
    (["a", "...", "z"], ["a", "1", "2", "z"], True),
    (["a", "...", "z"], ["a", "1", "2"], False),
    (["RuntimeError: Trying to..."], ["RuntimeError: Trying to backward twice"], True),
    (["RuntimeError: Trying to..."], ["RuntimeError: grad can be"], False),
    (["a   "], ["a"], True),
    ([], ["surprise"], False),
])
def test_output_matching_with_ellipsis(want, got, ok):
    assert tx.output_matches(want, got) is ok


def test_updated_lines_replace_only_mismatching_blocks():
    text = ">>> a\nold\n\n>>> b\n...\n>>> c\n"
    t = tx.parse(text, "t")
    got = {1: ["new", ""], 4: ["anything"], 6: ["added"]}
    assert tx.updated_lines(t, got) == [
        ">>> a", "new", "<BLANKLINE>", "", ">>> b", "...", ">>> c", "added"]


def test_format_input_round_trips():
    source = "def f(a):\n    return a\n\n"
    lines = tx.format_input("def f(a):\n    return a")
    assert lines == [">>> def f(a):", "...     return a"]
    assert tx.parse("\n".join(lines), "t").exchanges[0].source == source.strip()


def test_script_chunks_group_blocks_brackets_and_clauses():
    script = (
        "#!/usr/bin/env autodiff\n"
        "x = 1\n"
        "\n"
        "def f(a):\n"
        "    b = a\n"
        "\n"
        "    return b\n"
        "if x:\n"
        "    y = 1\n"
        "# comment\n"
        "else:\n"
        "    y = 2\n"
        "z = [1,\n"
        "     2]\n"
        "@deco\n"
        "def g():\n"
        "    pass\n"
        "backward y\n"
    )
    chunks = tx.script_chunks(script)
    assert [line for line, _ in chunks] == [2, 4, 8, 13, 15, 18]
    assert chunks[1][1] == "def f(a):\n    b = a\n\n    return b"
    assert chunks[2][1].endswith("else:\n    y = 2")
    assert chunks[3][1] == "z = [1,\n     2]"
    assert chunks[5][1] == "backward y"


def test_script_chunks_handle_commands_and_stay_linear():
    assert tx.script_chunks("backward y --no-trace\nx?\n:help dot\n") == [
        (1, "backward y --no-trace"), (2, "x?"), (3, ":help dot")]
    chunks = tx.script_chunks("x = [\n" + "1,\n" * 20000)
    assert len(chunks) == 1 and chunks[0][1].count("\n") == 20000


def test_crlf_and_bom_are_accepted():
    t = tx.parse("\ufeff#: step a\r\n>>> 1\r\n1\r\n", "t")
    assert [(s.id, s.sources) for s in t.steps] == [("a", ["1"])]
    assert t.exchanges[0].want == ("1",)


def test_output_lines_drop_trailing_empty_lines_only():
    assert tx.output_lines("") == []
    assert tx.output_lines("a\n\nb\n\n") == ["a", "", "b"]
