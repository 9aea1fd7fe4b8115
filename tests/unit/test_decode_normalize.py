from __future__ import annotations

import codecs

import pytest

from schemas import RejectReason
from workers.pipeline.decode import decode_bytes
from workers.pipeline.errors import RejectError
from workers.pipeline.normalize import collapse_whitespace, normalize_text


def test_decode_prefers_bom_then_declared_then_meta_then_utf8() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + "Hà Nội".encode()) == ("Hà Nội", "utf-8-sig")
    assert decode_bytes("Hà Nam".encode("cp1258"), declared="cp1258")[0] == "Hà Nam"
    html = '<meta charset="windows-1252"><p>café</p>'.encode("cp1252")
    assert decode_bytes(html) == ('<meta charset="windows-1252"><p>café</p>', "cp1252")
    assert decode_bytes("Tin tức".encode()) == ("Tin tức", "utf-8")


def test_decode_detects_legacy_charsets() -> None:
    text = "Le président a déclaré que la réforme était nécessaire pour l'économie française. " * 5
    decoded, encoding = decode_bytes(text.encode("latin-1"))
    assert decoded == text and encoding


def test_binary_garbage_is_undecodable() -> None:
    with pytest.raises(RejectError) as info:
        decode_bytes(bytes([0x00, 0xFF, 0xFE, 0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 64)
    assert info.value.reason is RejectReason.UNDECODABLE


def test_normalize_keeps_words_and_line_structure() -> None:
    decomposed = "Tho\u0302\u0300ng"  # NFD
    raw = f"Ti\u00eau \u0111\u1ec1\u00a0b\u00e0i\u200b\r\n{decomposed}\x00 tin\ufeff\u00ad"
    assert normalize_text(raw) == "Tiêu đề bài\nThồng tin"
    assert normalize_text("ZWJ\u200dkept and ZWNJ\u200ckept") == "ZWJ\u200dkept and ZWNJ\u200ckept"
    # Tabs, CRLF and no-break spaces alone take the str.replace path, a lone CR the regex pass after it.
    assert normalize_text("a\tb\r\nc\u00a0d") == "a b\nc d"
    assert normalize_text("a\tb\rc") == "a b\nc"
    assert collapse_whitespace("  a \t b\n c ") == "a b c"
