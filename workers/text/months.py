"""Month names in the languages newsflow reads, for datelines and date mentions."""

from __future__ import annotations

MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan janvier januar enero janeiro gennaio januari",
        "february feb février februar febrero fevereiro febbraio februari",
        "march mar mars märz marzo março maret",
        "april apr avril abril aprile",
        "may mai mayo maio maggio mei",
        "june jun juin juni junio junho giugno",
        "july jul juillet juli julio julho luglio",
        "august aug août agosto agustus",
        "september sep sept septembre septiembre setembro settembre",
        "october oct octobre oktober octubre outubro ottobre",
        "november nov novembre noviembre novembro",
        "december dec décembre dezember diciembre dezembro dicembre desember",
    ],
    start=1,
):
    for _name in _names.split():
        MONTH_NAMES[_name] = _number

# Full weekday names, for what stands beside a date ('Monday, March 11'); abbreviations are left
# out, as 'Sun', 'Wed' and 'Mar' are words and names too.
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag "
    "lunes martes miércoles jueves viernes sábado domingo "
    "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira "
    "lunedì martedì mercoledì giovedì venerdì sabato "
    "senin selasa rabu kamis jumat sabtu"
)
WEEKDAY_NAMES: frozenset[str] = frozenset(_WEEKDAYS.split())
