"""Names and words compared as people type them."""

from __future__ import annotations

import pytest

from bot.textfold import fold, fold_words


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("lea", "Léa"),
        ("SOFIA", "Sofía"),
        ("ethiopie", "Éthiopie"),
        ("ｓｏｆｉａ", "Sofía"),
        ("  jean   luc ", "Jean Luc"),
        ("cotacachi", "Cotacachi-Cayapas"[:9]),
        ("张伟", "张伟"),
    ],
)
def test_typed_form_matches_stored_form(typed: str, stored: str) -> None:
    assert fold(typed) == fold(stored)


def test_different_letters_stay_different() -> None:
    assert fold("Lea") != fold("Leo")
    assert fold("王") != fold("汪")


def test_words_split_on_punctuation_and_fold() -> None:
    assert fold_words("Glaciares, monitoreo-Ecológico!") == ("glaciares", "monitoreo", "ecologico")
