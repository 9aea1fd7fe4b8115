"""The tagger for Latin-script languages other than Vietnamese (en, fr, de, es, pt, it, id).

A run is capitalised words joined by the language's connectors and name particles (``University
of Illinois``, ``Laure de la Raudière``, ``Omar Hassan al-Bashir``, ``Rafael van der Vaart``).
Elisions are cut from its front (``L'Assemblée``), possessives from its words (``Trump's``), and
stopwords and titles from both ends (``The``, ``Mr.``, ``Premierminister``; a title is a person
cue). Then, in order:

1. the whole run a gazetteer entry (curated, or a country or city from the generated places);
2. a first name (``given_names.txt``) and 1-4 more capitalised words: a person, even when a word is
   also a place (``Michael Jordan``);
3. otherwise the run is split at gazetteer matches and each rest typed by the word before it
   (``tabloïd Blesk``, ``ministre``, ``in``), its head or tail (``Commission ...``, ``... Center``,
   ``Rue ...``; German suffixes ``-ministerium``), or its shape (an acronym is an organisation).
   Organisation heads take the lower-case adjectives and ``de`` phrases that follow them in
   languages that write names in sentence case (``Conseil constitutionnel``, ``Cour de cassation``).

Runs on headline-case lines (menus, headings: ``Order Reprints| Today's Paper``, ``Sanctions on
Sudan Will Be Lifted``) are typed only by the gazetteer, first names and acronyms. An acronym in
brackets after its expansion (``Commission nationale informatique et libertés (CNIL)``) makes the
expansion one organisation that the acronym's other mentions join.

What a word is from the language's data files alone (its one-word facts, first names, the German
nouns no other rule reads) is in ``entity_facts``; what an acronym is and where its expansion stands,
in ``entity_acronyms``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import pairwise

from workers.enrich.entity_acronyms import expansion_after, expansion_before, is_acronym
from workers.enrich.entity_facts import WordFacts, cue_words, derived_words, first_name, plain_nouns, word_facts
from workers.enrich.entity_spans import CAP, CAP_REST, CAPITAL, GazetteerTagger, Mention, Token, sentence_start
from workers.enrich.entity_words import LanguageWords, given_names, words_for
from workers.enrich.gazetteer import EntityType, Known, gazetteer
from workers.text.keys import matching_key

_CONJUNCTIONS = frozenset({"and", "&", "et", "y", "e", "und", "dan"})
_TOKEN = re.compile(CAP)
_LOWER_WORD = re.compile(r"\s+([^\W\d_][\w'’-]*)")
_OPENERS = " \t'‘\"“(-–—•*«„"
_ENDS = frozenset('.!?:;\n"“”(|»')
_TOKEN_MARKS = frozenset("-.'’")  # a run holding none of these is capitalised words, spaces and connectors


@lru_cache(maxsize=16)
def _run_pattern(language: str) -> re.Pattern[str]:
    """Capitalised words joined by spaces, hyphens, connectors and particles of the language."""
    words = words_for(language)
    forms = set(words.connectors) | set(words.particles)
    forms |= {j.replace("'", "’") for j in forms}
    joins = sorted(forms, key=len, reverse=True)
    # One space, then optionally a connector: the engine tries the connectors only after a space, and
    # only before a capital or a connector's first letter (one class test: most words are followed by a
    # space and a lower-case word that opens no connector, where the alternatives would all be tried).
    spaced = "|".join(re.escape(j) + ("" if j[-1] in "'’-" else " ") for j in joins)
    firsts = re.escape("".join(sorted({j[0] for j in joins})))
    joined = f"-| (?=[{CAPITAL[1:-1]}{firsts}])(?:{spaced})?" if spaced else "-| "
    return re.compile(rf"{CAPITAL}(?<![^\W_].){CAP_REST}(?:(?:{joined}){CAPITAL}{CAP_REST})*+")


def _marked_lines(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(start, end) of the lines that are headings or menus, and of those written in capitals; one pass.

    Headings and menus: title case throughout, no sentence end, or '|' lists. Capitals ('LAURIE OAKES
    IS THE NINE NETWORK POLITICAL EDITOR'): every word looks like an acronym there, so the tagger reads
    nothing on them."""
    headlines: list[tuple[int, int]] = []
    shouting: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.isupper() and sum(1 for w in line.split() if w.isalpha()) >= 3:
            shouting.append((start, end))
        stripped = line.strip()
        if not stripped or ("|" not in stripped and (stripped[-1] in '.!?…:;"”»)' or len(stripped) > 160)):
            start = end + 1
            continue  # prose: most lines, decided without splitting them
        words = [w for w in stripped.split() if w[:1].isalpha()]
        if words and ("|" in stripped or len(words) <= 15):
            capitalised = sum(1 for w in words if w[0].isupper())
            if "|" in stripped or (len(words) >= 2 and capitalised * 2 >= len(words)):
                headlines.append((start, end))
        start = end + 1
    return headlines, shouting


def _any_key_in(tokens: list[Token], keys: frozenset[str]) -> bool:
    """Whether a token's key (trailing dots cut) is one of ``keys``; a loop, which costs less than
    ``any`` over a generator for the two or three tokens of a run."""
    for token in tokens:  # noqa: SIM110 (the generator is what this spares)
        if matching_key(token[2]).rstrip(".") in keys:
            return True
    return False


class RunTagger(GazetteerTagger):
    """One article in a tagged Latin-script language other than Vietnamese."""

    def __init__(self, text: str, language: str) -> None:
        super().__init__(text, language, gazetteer(places=True))
        self.words: LanguageWords = words_for(language)
        self.stop = self.words.leading
        self.names = given_names()
        self.headlines, self.shouting = _marked_lines(text)
        self._headline_starts = [s for s, _ in self.headlines]
        self.sentence_case = bool(self.words.adjective_suffixes)
        self._splitting, self._connector_parts, self._organization_words = derived_words(language)
        self._cue_words = cue_words(language)
        # A German article writes the same nouns again and again: what a word is, whatever stands
        # around it, is worked out once per article.
        self._facts: dict[str, WordFacts] = {}
        self._cues: dict[int, str | None] = {}  # the cue before a position, asked by the run and its rest
        # German: a listed common noun alone is no name ('Stellen', 'Jahren'), unless this article wrote
        # it in a person's name first ('Thomas Müller' ... 'Müller', when a surname is also a noun).
        self.nouns = plain_nouns(language)
        self.person_words: set[str] = set()

    def scan(self) -> list[Mention]:
        stop_forms, single, split = self.words.stop_forms, self._single, self._split_conjunctions
        nouns, person_words = self.nouns, self.person_words
        for run in _run_pattern(self.language or "en").finditer(self.text):
            word = run[0]
            if word in stop_forms:  # 'The', 'Der', 'Le' opening a sentence: most runs of one word
                continue
            if word in nouns and word not in person_words:  # German 'Stellen', 'Jahren': half the runs
                continue
            start = run.start()
            if start < self.covered or (self.shouting and any(s <= start < e for s, e in self.shouting)):
                continue
            opening = False
            while " " in word:  # 'Die Abgeordneten', 'The Government': the opening function word goes first
                head, rest = word.split(" ", 1)
                if head in stop_forms:
                    if self.lookup(start, start + len(head)) is not None:
                        break  # 'Le Monde', 'The Hague': the gazetteer keeps it
                    opening = opening or sentence_start(self.text, start, _OPENERS, _ENDS)
                elif not (nouns and rest[0].isupper() and self._leading_noun((start, start + len(head), head))):
                    break  # (German 'Stammsitz Wolfsburg', 'Gegner Lucid': the noun goes, the name is a run alone)
                start, word = start + len(head) + 1, rest
            if nouns and (
                ((" " in word or start != run.start()) and self._common_run(word))
                or ("-" in word and self._unnamed_compound(start, word))
            ):
                continue  # 'Die Tauben', 'Ort und Zeitpunkt', 'Ex-Profi': no name in German nouns
            if word.isalpha() and not word.isupper():
                single(start, word, opening)  # one plain word, no acronym: the common case, the short path
            else:
                split(start, word)
        return self.mentions

    def _common_run(self, run: str) -> bool:
        """Whether a run is listed common nouns, function words and lower-case joins only, with a noun
        ('Tauben', 'Die Folgen', 'Futter und Wasser'), none written in a person's name in this article."""
        nouns, stop_forms, person_words = self.nouns, self.words.stop_forms, self.person_words
        if " " not in run:
            return run in nouns and run not in person_words
        noun = False
        for part in run.split(" "):  # (a loop: two generator expressions cost more than the test itself)
            if part in nouns:
                noun = True
                if part not in person_words:
                    continue
            if part not in stop_forms and not part.islower():
                return False
        return noun

    def _compound_noun(self, word: str) -> bool:
        """'Nebenflüssen' (Neben + Flüssen): a listed noun of five letters or more ends the word after
        three or more ('Grünheide' is no 'Grün' + 'Eide'); asked only of German words that a place or
        organisation cue would type."""
        nouns = self.nouns
        return any(word[i:].capitalize() in nouns for i in range(3, len(word) - 4))

    def _unnamed_compound(self, start: int, run: str) -> bool:
        """'Ex-Profi', 'Start-up-Charakter': a German hyphenated compound names at most its first part, and
        only an acronym or a gazetteer name ('DTB-Team', 'Tesla-Werk'); decided before the run's tokens are
        made. (``_run`` keeps the same rule for compounds reached another way.)"""
        if " " in run or "-" not in run:
            return False
        first = _TOKEN.match(run)
        return (
            first is not None
            and first.end() < len(run)
            and not first[0].isupper()
            and self.lookup(start, start + first.end()) is None
        )

    def _single(self, start: int, word: str, opening: bool = False) -> None:
        """A run of one plain word: typed here when a list or the word before says so, else kept untyped
        (it may be a short form, a genitive, or a name written again) without working out more."""
        facts = self._facts.get(word)
        if facts is None:
            facts = self._facts[word] = word_facts(self.words.language, word)
        skip, fixed, head, demonym, indexed = facts
        if skip:
            return
        words = self.words
        end = start + len(word)
        low = self.low
        # Most words open no gazetteer alias: the index is asked first, the full lookup only for those
        # that do or that '.'/'’' may carry on ('U.S.', "O'Brien").
        if indexed is None:  # not ASCII: the folded text is asked where the word stands
            indexed = low[start:end] in self.index
        hit = self.lookup(start, end) if indexed or (end < len(low) and low[end] in ".'’") else None
        if hit is not None:
            if not (words.capitalised_nouns and not hit[2].names and self._after_determiner(start)):
                self._known(hit)  # ('der Halle' is a hall: a generated city after a German determiner is not)
            return
        text = self.text
        if text.startswith(" (", end) and self._expanded_after(start, end, word):
            return
        if head or (start and text[start - 1] == "(" and text[end : end + 1] == ")"):
            self._run(start, word)  # 'Conseil constitutionnel', '(Gtsou)': the full path
            return
        i = start - 1
        while i >= 0 and text[i] in _OPENERS:
            i -= 1
        at_start = opening or i < 0 or text[i] in _ENDS or self._in_headline(start)
        kind: EntityType | None = fixed
        weak = False
        if kind is None:
            previous = low[low.rfind(" ", max(0, start - 30), i) + 1 : i + 1]
            if previous.strip("'’(\"“«") in words.cue_ends and not (at_start and words.capitalised_nouns):
                cue = self._cue_before(start)
                if cue is not None and not (at_start and cue != "person" and words.capitalised_nouns):
                    kind, weak = cue, cue != "person"  # type: ignore[assignment]
                if weak and self.nouns and self._compound_noun(word):
                    kind, weak = None, False  # 'in Nebenflüssen': a German compound of a listed noun
            elif words.organization_cue_suffixes and previous.endswith(words.organization_cue_suffixes):
                kind, weak = "organization", True  # 'iPhone-Fertiger Foxconn'
        if kind is None and demonym:
            return
        # Positional (known, at_start, acronym, weak): keywords cost 1 % of the stage on this path.
        self.mentions.append(Mention(start, end, word, kind, None, at_start, None, weak))

    def _after_determiner(self, start: int) -> bool:
        before = self.low[max(0, start - 16) : start].split()
        return bool(before) and before[-1] in self.words.determiners

    def _demonym(self, key: str) -> bool:
        """'Sudanese', 'Australian': a nationality by its ending, when the word is not also a first name."""
        return len(key) > 5 and key.endswith(self.words.demonym_suffixes) and key not in self.names

    def common_noun(self, mention: Mention) -> bool:
        """'der Golf', 'les Français', '32 Jahren': after a determiner, a number or (German) an inflected
        adjective, a capitalised word is a noun; asked only of the words written often enough to count."""
        words = self.words
        key = matching_key(mention.surface)
        before = self.low[max(0, mention.start - 16) : mention.start].split()
        previous = before[-1] if before else ""
        return (
            previous in words.determiners
            or previous.isdigit()
            or (
                words.capitalised_nouns
                and previous.isalpha()
                and previous.islower()
                and previous.endswith(("e", "en", "er", "es", "em"))
            )
            or (" " not in key and bool(words.noun_suffixes) and key.endswith(words.noun_suffixes))
        )

    # --- runs ---------------------------------------------------------------------------------

    def _split_conjunctions(self, base: int, run: str) -> None:
        """'Kenya and Tanzania' is two runs; 'Center for Health and Human Rights' one (after 'for')."""
        parts = run.split(" ")
        if _CONJUNCTIONS.isdisjoint(parts):  # most runs: no conjunction, the run is one (decided in C)
            self._run(base, run)
            return
        start, offset, joined = 0, 0, False
        for i, part in enumerate(parts):
            if part in self.words.joining_after:
                joined = True
            if part in _CONJUNCTIONS and not joined and i:
                self._run(base + start, run[start : offset - 1])
                start = offset + len(part) + 1
            offset += len(part) + 1
        self._run(base + start, run[start:])

    def _tokens(self, base: int, run: str) -> tuple[list[Token], int]:
        """The run's capitalised words, elisions cut; and where a possessive ends the name (else -1)."""
        tokens: list[Token] = []
        if _TOKEN_MARKS.isdisjoint(run):
            # No elision, possessive, hyphen or dot: the capitalised words between single spaces are the
            # tokens the regex finds (connectors are lower case), at the offsets a split gives.
            for word in run.split(" "):
                if word[0].isupper():
                    tokens.append((base, base + len(word), word))
                base += len(word) + 1
            return tokens, -1
        for match in _TOKEN.finditer(run):
            start, end, word = base + match.start(), base + match.end(), match[0]
            elisions = self.words.elisions
            if elisions and ("'" in word or "’" in word) and (key := word.casefold()).startswith(elisions):
                for elision in elisions:  # 'L'Assemblée' -> 'Assemblée', "D'autres" -> nothing
                    if key.startswith(elision) and len(word) > len(elision):
                        start += len(elision)
                        word = word[len(elision) :]
                        break
            if not word[0].isupper():
                if tokens:
                    return tokens, match.start()
                continue
            for possessive in self.words.possessives:  # "Parliament's Joint Committee": the name ends there
                if word.endswith(possessive) and len(word) > len(possessive) + 1:
                    tokens.append((start, end - len(possessive), word[: -len(possessive)]))
                    return tokens, match.end()
            tokens.append((start, end, word))
        return tokens, -1

    def _is_title(self, key: str) -> bool:
        # 'VW-Chef', 'Betriebsratschefin': a compound ending in a title (one C call for all the suffixes)
        return key in self.words.titles or (len(key) > 6 and key.endswith(self.words.title_suffixes))

    def _run(self, base: int, run: str) -> None:
        tokens, rest = self._tokens(base, run)
        if rest >= 0:  # the words after a possessive or a lower-case elision are a run of their own
            tail = run[rest:]
            skip = len(tail) - len(tail.lstrip(" -"))
            if skip < len(tail):
                self._run(base + rest + skip, tail[skip:])
        if base < self.covered:
            tokens = [t for t in tokens if t[0] >= self.covered]
        if not tokens:
            return
        at_start = self._in_headline(tokens[0][0]) or sentence_start(self.text, tokens[0][0], _OPENERS, _ENDS)
        if self.words.capitalised_nouns and len(tokens) > 1 and " " not in run and "-" in run:
            # 'DTB-Team', 'US-Investoren', 'Brexit-Vertrag': a German compound names at most its first part
            first = tokens[0]
            if first[2].isupper() or self.gazetteer_at(first) is not None:
                self._name([first], at_start, False)
            return
        self._name(tokens, at_start, False)

    def _name(self, tokens: list[Token], at_start: bool, honorific: bool) -> None:
        """Strip the run's ends, then take it whole (gazetteer, person) or split it (titles, places, particles)."""
        while tokens:
            key = matching_key(tokens[0][2]).rstrip(".")
            title = self._is_title(key)
            if not title and key not in self.stop:
                if self.nouns and len(tokens) > 1 and self._leading_noun(tokens[0], key):
                    tokens = tokens[1:]  # 'Oberliga Hamburg', 'Anfang August': a German noun before a name
                    continue
                break
            if self.gazetteer_at(tokens[0]) is not None and not title:
                break  # 'Le Monde', 'La Paz': the article belongs to the name
            honorific = honorific or title
            tokens = tokens[1:]
        while tokens and matching_key(tokens[-1][2]).rstrip(".") in self.stop:
            tokens = tokens[:-1]
        if not tokens:
            return
        if (
            len(tokens) >= 2
            and (tokens[0][2].isupper() or self.words.capitalised_nouns)
            and matching_key(tokens[0][2]) in self._organization_words
        ):
            # 'ONG Greenpeace', 'Groupe Bayer', German 'Fertiger Foxconn' as one capitalised run: the
            # generic word (a German noun, capitalised like any) types the name
            self._flush(tokens[1:], False, False, self._in_headline(tokens[1][0]), cue="organization")
            return
        first = tokens[0][0]
        headline = self._in_headline(first)
        hit = self.gazetteer_at(tokens[0])
        if hit is not None and hit[1] >= tokens[-1][1] and not (honorific and hit[2].type != "person"):
            self._known(hit)
            return
        person = self._given_person(tokens)
        if person:
            name = tokens[:person]
            if person < len(tokens) and self.words.capitalised_nouns and name[-1][2].endswith("s"):
                last = name[-1]  # 'Rafael van der Vaarts Abschiedsgala': the genitive's 's' is not the name's
                name = [*name[:-1], (last[0], last[1] - 1, last[2][:-1])]
            self._add(name, "person", at_start)
            if person < len(tokens):
                self._name(tokens[person:], False, False)
            return
        if len(tokens) >= 2 and not honorific and not headline and self._cue_before(first) == "organization":
            self._flush(tokens, False, at_start, headline, cue="organization")  # 'l’agence Health Canada'
            return
        if (
            len(tokens) >= 2
            and not headline
            and matching_key(tokens[-1][2]).rstrip(".") in self.words.organization_tails
        ):
            self._flush(tokens, False, at_start, headline)  # 'Springfield Public Library': a place opens the name
            return
        first_key = matching_key(tokens[0][2]).rstrip(".")
        headed = first_key in self.words.organization_heads or first_key in self.words.location_heads
        for i in range(1, len(tokens)):
            key = matching_key(tokens[i][2]).rstrip(".")
            # 'Australian Federal Police Commissioner Andrew Colvin', 'UMP Laure de la Raudière'
            title = self._is_title(key)
            gap = self.text[tokens[i - 1][1] : tokens[i][0]].strip()
            if gap and i == 1 and is_acronym(tokens[0][2]) and matching_key(gap) in self.words.connectors:
                self._name(tokens[:1], at_start, honorific)  # 'OPA de Monsanto': an acronym heads no name
                self._name(tokens[1:], False, False)
                return
            if self.sentence_case and gap and key in self.words.organization_heads and not headed:
                self._name(tokens[:i], at_start, honorific)  # 'Atlântico da Polícia Militar'
                self._name(tokens[i:], False, False)
                return
            if title or (
                not headed and i + 1 < len(tokens) and self._first_name(tokens[i][2]) and self._given_person(tokens[i:])
            ):
                self._name(tokens[:i], at_start, honorific)
                self._name(tokens[i:], False, honorific or title)
                return
            if gap in self._splitting:
                self._name(tokens[:i], at_start, honorific)  # 'Sicht von Diess': 'von' joins only a person
                self._name(tokens[i:], False, False)
                return
        if honorific and self._joined(tokens):
            honorific = False  # 'Inspector-General of Intelligence and Security': an office, not a person
        if honorific and len(tokens) <= 4:
            self._add(tokens, "person", at_start)
            return
        pending: list[Token] = []
        i = 0
        while i < len(tokens):
            hit = self.gazetteer_at(tokens[i])
            if hit is not None:
                if pending:
                    self._flush(pending, honorific, at_start and pending[0] is tokens[0], headline)
                pending = []
                self._known(hit)
                while i < len(tokens) and tokens[i][0] < hit[1]:
                    i += 1
                continue
            pending.append(tokens[i])
            i += 1
        if pending:
            self._flush(pending, honorific, at_start and pending[0] is tokens[0], headline)

    def _leading_noun(self, token: Token, key: str | None = None) -> bool:
        """A listed common noun opening a run is no part of the name after it, unless it heads an
        organisation or a place ('Universität Hamburg') or opens a gazetteer alias."""
        words = self.words
        if token[2] not in self.nouns or token[2] in self.person_words:
            return False
        key = key if key is not None else matching_key(token[2])
        return (
            key not in words.organization_heads and key not in words.location_heads and self.gazetteer_at(token) is None
        )

    def _known(self, hit: tuple[int, int, Known]) -> None:
        begin, stop, known = hit
        self.mentions.append(Mention(begin, stop, self.text[begin:stop], known.type, known))
        self.covered = stop

    def _in_headline(self, position: int) -> bool:
        if not self.headlines:  # most articles: no heading or menu line in the text
            return False
        i = bisect_right(self._headline_starts, position) - 1
        return i >= 0 and position < self.headlines[i][1]

    def _first_name(self, word: str) -> bool:
        """Whether a word is a first name, as ``_given_person`` asks of a run's first word."""
        return first_name(matching_key(word))

    def _given_person(self, tokens: list[Token]) -> int:
        """How many tokens make a person: a first name, then 1-4 capitalised words ('Eric Reeves',
        'Jean-Paul Claverie', 'Donald J. Trump'); German genitives end it ('Vaarts Abschiedsgala')."""
        if len(tokens) < 2:  # asked of every run the long path reaches: most are one word
            return 0
        if not first_name(matching_key(tokens[0][2])):
            return 0
        if tokens[0][2].isupper() and len(tokens[0][2]) > 1 and not all(t[2].isupper() for t in tokens):
            return 0
        for i, (_, _, word) in enumerate(tokens[1:5], 1):
            key = matching_key(word).rstrip(".")
            if key in self.stop or key in self.words.organization_tails or key in self.words.location_tails:
                return 0 if i == 1 else i
            if self._is_title(key):
                return 0 if i == 1 else i
            if self.words.capitalised_nouns and i + 1 < len(tokens) and key.endswith("s") and not word.isupper():
                return i + 1  # genitive: the name ends here, its 's' is cut by the resolver's genitive rule
            if self.words.capitalised_nouns and i >= 2 and self.text[tokens[i - 1][1] : tokens[i][0]].strip():
                return i  # 'Stefan Bröckling von der Tiernothilfe': after a full name, 'von der' is a preposition
        return min(len(tokens), 5)

    # --- typing -------------------------------------------------------------------------------

    def _cue_before(self, start: int) -> str | None:
        cues = self._cues
        if start in cues:
            return cues[start]
        cue = cues[start] = self._find_cue(start)
        return cue

    def _find_cue(self, start: int) -> str | None:
        window = self.low[max(0, start - 40) : start]
        stripped = window.rstrip()
        if stripped.endswith("."):  # 'M. Caldwell', 'Mr. Reeves': the cue is the abbreviation
            window = stripped[:-1] + " "
            stripped = window.rstrip()
        # Most words before a run end no cue: one set lookup of the word's trailing letters (the key the
        # three cue lists index by) spares their three look-ups.
        last = stripped.rsplit(" ", 1)[-1]
        if last.endswith(",") and window.endswith(", "):
            return self._apposition_cue(window[:-2], start - 2)
        if last.isalnum() and last not in self._cue_words:
            return None
        return self.words.type_before(window)

    def _apposition_cue(self, before: str, comma: int) -> str | None:
        """'el canciller ucraniano, Dmtri Kuleba', 'la capitale, Kiev': a cue, and at most one adjective
        written in lower case after it, then a comma (at ``comma``) before the name."""
        head, _, last = before.rpartition(" ")
        if last in self._cue_words:
            return self.words.type_before(before + " ")
        written = self.text[comma - len(last) : comma]  # the folded window hides 'di Bogor, Dwi Hartono'
        if head and written.isalpha() and written.islower() and head.rsplit(" ", 1)[-1] in self._cue_words:
            return self.words.type_before(head + " ")
        return None

    def _flush(
        self, tokens: list[Token], honorific: bool, at_start: bool, headline: bool, cue: str | None = None
    ) -> None:
        """Type what is left of a run (``cue``: a type the caller already knows)."""
        start, end = tokens[0][0], tokens[-1][1]
        surface = self.text[start:end]
        key = matching_key(surface)
        words = self.words
        if key in self.gaz.not_entities or key.startswith(words.chrome):
            return
        first_key = matching_key(tokens[0][2]).rstrip(".")
        last_key = matching_key(tokens[-1][2]).rstrip(".")
        single = len(tokens) == 1
        bracketed = start and self.text[start - 1] == "(" and self.text[end : end + 1] == ")"
        kind: EntityType | None = None
        if single and bracketed and self._expansion(start, end, tokens[0][2]):
            return
        known_cue = cue
        cue = "person" if honorific else None
        nouns = words.capitalised_nouns
        tails = words.organization_tails
        weak = False
        if known_cue == "organization" or (single and not honorific and is_acronym(tokens[0][2])):
            kind = "organization"
        elif headline:
            kind = None
        elif first_key in words.organization_heads and (self.sentence_case or not single):
            kind = "organization"
            if self.sentence_case:
                end = self._extend_sentence_case(end)
                surface = self.text[start:end]
        elif (
            not single and ((last_key in tails if nouns else _any_key_in(tokens, tails)) or self._org_suffix(last_key))
        ) or (single and self._org_suffix(last_key)):
            kind = "organization"
        elif first_key in words.location_heads or (not single and last_key in words.location_tails):
            kind = "location"
        elif (cue := cue or (None if headline else self._cue_before(start))) == "person" or (
            cue is not None and not (nouns and (at_start or not single))
        ):
            kind = cue  # type: ignore[assignment]
            weak = cue != "person"
        elif single and bracketed and not at_start:
            kind = "organization"  # '(Gtsou)': a short name in brackets after what it names
        elif (
            not single
            and not nouns
            and not at_start
            and len(tokens) <= 4
            and first_key not in words.demonyms
            and not (words.demonym_suffixes and self._demonym(first_key))
        ):
            kind = "organization"  # 'Business Insider': capitalised words inside a sentence, no person's first name
            weak = True
        self.mentions.append(Mention(start, end, surface, kind, None, at_start, None, weak))  # (as in _single)

    def _org_suffix(self, key: str) -> bool:
        return len(key) > 7 and key.endswith(self.words.organization_suffixes)

    def _extend_sentence_case(self, end: int) -> int:
        """'Conseil' + ' constitutionnel', 'Cour' + ' de cassation': adjectives and de-phrases after a head.

        A conjunction is taken only with the connector phrase after it ('... électroniques et des postes').
        """
        words = self.words
        position, accepted, taken = end, end, 0
        while taken < 6:
            match = _LOWER_WORD.match(self.text, position)
            if match is None or match[1][0].isupper():
                break
            word = match[1]
            key = matching_key(word)
            if key in _CONJUNCTIONS:
                position = match.end()
                continue
            joined = next((c for c in words.connectors if key == c or (key.startswith(c) and c[-1] in "'’")), None)
            if joined is not None and key != joined:  # "de l'agriculture", "d'Etat": the elided word is in it
                rest = word[len(joined) :]
                if not rest or rest[0].isupper() or self._function_word(matching_key(rest)):
                    break
                position = accepted = match.end()
                taken += 1
                continue
            if joined is not None:
                nxt = _LOWER_WORD.match(self.text, match.end())
                while nxt is not None and matching_key(nxt[1]) in self._connector_parts:  # 'de la', 'des'
                    nxt = _LOWER_WORD.match(self.text, nxt.end())
                if nxt is None or nxt[1][0].isupper() or self._function_word(matching_key(nxt[1])):
                    break
                position = accepted = nxt.end()
                taken += 1
                continue
            if self._function_word(key) or not key.endswith(words.adjective_suffixes):
                break
            position = accepted = match.end()
            taken += 1
        return accepted

    def _joined(self, tokens: list[Token]) -> bool:
        """Whether a connector that is no name particle joins the tokens ('Intelligence and Security')."""
        for a, b in pairwise(tokens):
            gap = self.text[a[1] : b[0]].strip()
            if gap and gap not in self.words.particles:
                return True
        return False

    def _function_word(self, key: str) -> bool:
        return key in self.stop and key not in self.words.portfolios

    def _expansion(self, start: int, end: int, acronym: str) -> bool:
        """'Commission nationale informatique et libertés (CNIL)': the expansion as one organisation."""
        found = expansion_before(self.text, start, acronym, self.words.elisions)
        if found is None:
            return False
        span_start, span_end, surface = found
        self.mentions[:] = [m for m in self.mentions if m.end <= span_start or m.start >= span_end]
        self.mentions.append(
            Mention(span_start, span_start + len(surface), surface, "organization", acronym=matching_key(acronym))
        )
        self.mentions.append(Mention(start, end, acronym, None))
        return True

    def _expanded_after(self, start: int, end: int, word: str) -> bool:
        """'l'Arcep (l'Autorité de régulation des communications électroniques et des postes)': one organisation."""
        close = expansion_after(self.text, end, word, self.words.elisions)
        if close is None:
            return False
        self.mentions.append(Mention(start, end, word, "organization"))
        self.covered = close
        return True

    def _add(self, tokens: list[Token], kind: EntityType, at_start: bool) -> None:
        start, end = tokens[0][0], tokens[-1][1]
        if kind == "person" and self.nouns:
            self.person_words.update(t[2] for t in tokens)
        self.mentions.append(Mention(start, end, self.text[start:end], kind, at_start=at_start))


__all__ = ["RunTagger"]
