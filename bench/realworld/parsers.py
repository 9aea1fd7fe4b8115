"""HTML parsers on the real pages: parse alone, and parse + a walk over every node, CPU ms per page.

    python -m bench.realworld.parsers [--split dev|heldout|all] [--rounds N]

The figure behind keeping lxml (docs/extraction.md, "Parser"): lexbor (selectolax) and
resiliparse parse faster, but newsflow's own pass over the tree costs several times the parse.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import lxml.etree

from bench.perf.run import seconds_per_page
from bench.realworld import datasets
from workers.pipeline.html import parse_html


def _lxml(page: str) -> Any:
    return parse_html(page)


def _lxml_walk(page: str) -> None:
    for _ in lxml.etree.iterwalk(_lxml(page), events=("start", "end")):
        pass


def _selectolax(page: str) -> Any:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(page)


def _selectolax_walk(page: str) -> None:
    root = _selectolax(page).root
    if root is not None:
        for _ in root.traverse(include_text=True):
            pass


def _resiliparse(page: str) -> Any:
    from resiliparse.parse.html import HTMLTree

    return HTMLTree.parse(page)


PARSERS: dict[str, Callable[[str], Any]] = {
    "lxml (newsflow's parser settings)": _lxml,
    "lxml + iterwalk": _lxml_walk,
    "selectolax (lexbor)": _selectolax,
    "selectolax + traverse": _selectolax_walk,
    "resiliparse": _resiliparse,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "heldout", "all"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    pages = [p.html for corpus in ("trafilatura", "readability") for p in datasets.load(corpus, args.split)]
    print(f"{len(pages)} pages, split {args.split}, fastest of {args.rounds} rounds after a warm-up pass")
    for name, parse in PARSERS.items():
        try:
            print(f"{name:36} {1000 * seconds_per_page(parse, pages, args.rounds):6.2f} ms/page")
        except ImportError as exc:
            print(f"{name:36} not installed ({exc.name}); pip install -e '.[bench]'")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
