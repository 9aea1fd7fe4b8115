"""The entities stage: people, organisations and places an article names, with mentions and first offset.

Vietnamese articles go through the Vietnamese tagger (``entity_tagger_vi``), the other languages
with a words file (en, fr, de, es, pt, it, id: ``entity_words.TAGGED_LANGUAGES``) through the run
tagger (``entity_tagger``); both hand their mentions to ``entity_resolve``, which merges short forms
and acronyms into one entity each. Other Latin-script languages get gazetteer matches only, other
scripts no entities. Word lists are data: ``workers/data/entities/`` (docs/enrichment.md).
"""

from __future__ import annotations

import re

from schemas import Article, Entity
from workers.enrich.entity_resolve import MAX_ENTITIES, Resolver
from workers.enrich.entity_spans import Mention
from workers.enrich.entity_tagger import RunTagger
from workers.enrich.entity_tagger_vi import VietnameseTagger
from workers.enrich.entity_words import TAGGED_LANGUAGES, words_for

_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]")


def tag_text(text: str, language: str | None, limit: int = MAX_ENTITIES) -> list[Entity]:
    """The entities of plain text in a language (ISO 639-1; ``None``: gazetteer matches only)."""
    tagger: VietnameseTagger | RunTagger
    if language in TAGGED_LANGUAGES and language != "vi":
        tagger = RunTagger(text, language)
        words = words_for(language)
        # German capitalises every noun: an untyped word must recur more to count as a name.
        repeated = 3 if words.capitalised_nouns else 2
        resolver = Resolver(
            tagger.low, language, repeated=repeated, genitive=words.capitalised_nouns, common_noun=tagger.common_noun
        )
    else:
        tagger = VietnameseTagger(text, language if language == "vi" else None)
        resolver = Resolver(tagger.low, language)
    mentions: list[Mention] = tagger.scan()
    return resolver.resolve(mentions, limit)


class ExtractEntities:
    """``max_entities``: the most mentioned are kept (``NEWSFLOW_MAX_ENTITIES``)."""

    name = "entities"

    def __init__(self, max_entities: int = MAX_ENTITIES) -> None:
        self.max_entities = max_entities

    def run(self, article: Article) -> Article:
        text = article.main_text
        if not text or (article.language not in TAGGED_LANGUAGES and not _LATIN.search(text[:2000])):
            return article
        return article.model_copy(update={"entities": tag_text(text, article.language, self.max_entities)})


__all__ = ["ExtractEntities", "tag_text"]
