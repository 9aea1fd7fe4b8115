"""The text layer at the bottom of ``workers``: what extraction, enrichment and dedup all read text with.

Modules: :mod:`~workers.text.keys` (the one matching key and the folding behind it),
:mod:`~workers.text.words` (tokens and word counts in any script), :mod:`~workers.text.stoplists`
(jusText's stoplists and the language guess they give), :mod:`~workers.text.months` (month names)
and :mod:`~workers.text.datelines` (dates as pages write them). It imports nothing else of ``workers``;
``pipeline``, ``enrich`` and ``dedup`` import it, never the other way round.
"""
