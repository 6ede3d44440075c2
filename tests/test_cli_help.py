"""The command's help is read in a terminal: plain text, no reStructuredText markup."""

from __future__ import annotations

import argparse
import re

from kfanalysis.cli import _parser

MARKUP = re.compile(r"``|:(?:func|class|meth|mod|attr|exc):`")


def test_help_of_the_command_and_every_subcommand_is_plain_text() -> None:
    parser = _parser()
    texts = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            texts.extend(sub.format_help() for sub in action.choices.values())
    assert len(texts) > 5
    for text in texts:
        assert not MARKUP.search(text), text
