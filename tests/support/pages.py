"""Pages shared by the tests: labelled samples and English and French articles for enrichment, and the
page shapes of the extraction tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from schemas import Article
from tests.support import REPO

DEVSET = REPO / "bench" / "extraction" / "devset"
FETCHED = datetime(2025, 1, 1, tzinfo=UTC)


def article(
    lead: str | None,
    body: list[str],
    *,
    title: str = "Title",
    url: str = "https://news.example.com/a/1.html",
    language: str | None = None,
    published: datetime | None = None,
    section: str | None = None,
) -> Article:
    return Article(
        article_id="0" * 32,
        url=url,
        canonical_url=url,
        fetched_at=FETCHED,
        published_at=published,
        language=language,
        title=title,
        lead=lead,
        body=body,
        section=section,
        word_count=0,
        content_hash="0" * 32,
        pipeline_version="test",
    )


def sample(name: str, *, published: datetime | None = None) -> Article:
    """A labelled dev-set page as the extractor should produce it."""
    page = json.loads((DEVSET / f"{name}.json").read_text(encoding="utf-8"))
    return article(
        page["lead"], page["body"], title=page["title"], url=page["url"], language=page["language"], published=published
    )


ENGLISH = article(
    "The city council voted on Tuesday to restore weekend hours at all branch libraries, reversing cuts made "
    "during the pandemic.",
    [
        "Mayor Linda Harris said the measure, approved by seven votes to two, would cost about $1.2 million a year. "
        "Harris told reporters at City Hall that the money would come from the parks budget.",
        "The Springfield Public Library will reopen on Saturdays from March 15, 2025, and on Sundays in May. "
        "Library director Tom Becker said staff would be hired from the University of Illinois.",
        "Council member Ana Ruiz voted against the plan. Ruiz said road repairs in Springfield were more urgent "
        "and that the library hours had been cut in 2020.",
    ],
    title="Springfield council restores weekend library hours",
    url="https://www.springfieldledger.example.com/news/local/2025/02/council-library-hours",
)

FRENCH = article(
    "Le conseil municipal de Nantes a voté mardi la prolongation de la ligne de tramway jusqu'à Rezé.",
    [
        "Le maire a indiqué que les travaux commenceront le 3 mars 2025 et dureront deux ans. "
        "La ligne desservira la gare et le nouveau quartier de la Loire.",
        "Les habitants du quartier ont salué une décision attendue depuis 2019, tandis que l'opposition "
        "critique le coût du projet, estimé à 90 millions d'euros.",
    ],
    title="Nantes prolonge son tramway jusqu'à Rezé",
    url="https://www.ouest-info.example.fr/pays-de-la-loire/nantes/tramway-reze",
)


NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


PARAGRAPHS = [
    "The city council voted on Tuesday to restore weekend hours at all branch libraries, reversing cuts that "
    "had been made during the pandemic and angered residents across the city.",
    "The measure passed by a vote of seven to two after a long debate in which several members argued that "
    "the money would be better spent on road repairs and on the police department.",
    "Library officials said they would need about six weeks to hire and train the staff needed to reopen on "
    "Saturdays and Sundays, and that the first branches would open again in May.",
    '"This is a good day for the families who depend on these buildings," said the library director, who '
    "had warned for months that the closures were hurting students and older readers the most.",
]
