"""Notices served in place of articles (bot checks, walls, error pages) are told from articles,
including articles that report on the very things notices talk about."""

from __future__ import annotations

import numpy as np
import pytest

from wiretrace.extract.page_kind import notice_kind
from wiretrace.representations import ArticleRepr
from wiretrace.sentences import split_sentences
from wiretrace.similarity.scorer import default_model, score_pair

NOTICES = {
    "bot check": (
        "Checking your browser\n\nWe have noticed unusual traffic coming from your network. "
        "Please confirm that you are not a robot by completing the captcha below."
    ),
    "subscription wall": (
        "Stadtrat beschließt neuen Haushalt\n\n"
        "Dieser Artikel ist nur für Abonnenten verfügbar. Sie sind bereits Abonnent? "
        "Dann melden Sie sich an. Jetzt Abonnement abschließen und weiterlesen."
    ),
    "browser requirement": (
        "Мы заметили, что вы используете блокировщик рекламы.\n"
        "Отключите блокировщик рекламы, чтобы продолжить чтение наших новостей."
    ),
    "error page": (
        "Strona nie została znaleziona\n\n"
        "Przepraszamy, strona, której szukasz, nie istnieje. Sprawdź adres lub wróć na stronę główną."
    ),
    "consent wall": (
        "Nous utilisons des cookies pour améliorer votre expérience. "
        "En continuant, vous acceptez notre politique de cookies. Gérer vos préférences."
    ),
}

ARTICLES = {
    "outage report": (
        "Hundreds of websites went dark for about an hour on Tuesday after a fault at a cloud "
        "provider. Visitors to newspaper and government sites saw a 503 Service Unavailable "
        "error instead of the pages they asked for. The provider said a faulty configuration "
        "change caused the outage and that service unavailable errors ended by 11:40 GMT."
    ),
    "cookie law": (
        "EU-Datenschützer verhängen Strafe wegen Cookie-Bannern\n\n"
        "Die irische Datenschutzbehörde hat gegen einen Online-Händler eine Strafe von 12 "
        "Millionen Euro verhängt. Die Website verwendet Cookies, ohne dass Besucher zustimmen "
        "konnten, teilte die Behörde am Montag in Dublin mit. Das Unternehmen kündigte an, "
        "gegen den Bescheid vorzugehen."
    ),
    "article with a wall line": (
        "Flood waters receded in the lower Danube valley on Sunday, letting hundreds of families "
        "return to their homes in three villages near Vidin, regional officials said. "
        "Rescue crews had evacuated 640 people since Thursday, when the river rose above the "
        "levees after a week of heavy rain in the Carpathians. The regional governor said "
        "damage to roads and bridges would be assessed on Monday and that the army would help "
        "clear debris from the main road to Vidin. Forecasters expect dry weather for the rest "
        "of the week.\n\nSubscribe to continue reading our regional coverage."
    ),
}


@pytest.mark.parametrize("kind", sorted(NOTICES))
def test_notices_are_recognised_with_their_kind(kind):
    found = notice_kind(NOTICES[kind])
    assert found is not None and found.kind == kind, found
    assert found.cue.lower() in NOTICES[kind].lower()
    assert "not an article" in found.reason()


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_articles_that_mention_notice_words_are_kept(name):
    assert notice_kind(ARTICLES[name]) is None


def test_a_long_page_is_never_a_notice():
    long_wall = (NOTICES["bot check"] + "\n") * 30
    assert notice_kind(long_wall) is None


def _repr(article_id: str, text: str, language: str, seed: int) -> ArticleRepr:
    sentences = split_sentences(text, language)
    vectors = np.random.default_rng(seed).normal(size=(len(sentences) + 1, 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return ArticleRepr(
        id=article_id, language=language, published=None, title=None, text=text,
        sentences=sentences, sentence_vectors=vectors[:-1].astype(np.float32),
        doc_vector=vectors[-1].astype(np.float32),
    )


def test_a_pair_with_a_notice_scores_the_prior_and_says_why():
    model = default_model()
    notice = _repr("a", NOTICES["bot check"], "en", 1)
    same_notice = _repr("b", NOTICES["bot check"], "en", 1)
    score = score_pair(notice, same_notice, model)
    # Two identical captcha pages are not two reports of one event.
    assert score.same_event is False
    assert score.similarity == pytest.approx(model.prior_similarity, abs=1e-6)
    assert set(score.evidence["not_article"]) == {"a", "b"}
    article = _repr("c", ARTICLES["outage report"], "en", 2)
    mixed = score_pair(article, notice, model)
    assert list(mixed.evidence["not_article"]) == ["b"]
    assert "aligned" in score_pair(article, _repr("d", ARTICLES["cookie law"], "de", 3)).evidence
