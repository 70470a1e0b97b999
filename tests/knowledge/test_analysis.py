import pytest

from bot.knowledge.analysis import Analyser, is_sound
from bot.knowledge.models import KnowledgeContent, Synonyms


@pytest.fixture(scope="module")
def analyser(content: KnowledgeContent) -> Analyser:
    return Analyser(content.synonyms)


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("报账", "报销"),
        ("登记", "备案"),
        ("外地", "异地"),
        ("医保卡", "社保卡"),
        ("社会保障卡", "社保卡"),
        ("住医院", "住院"),
        ("被案", "备案"),
        ("报效", "报销"),
    ],
)
def test_content_synonyms_fold_to_one_word(analyser: Analyser, said: str, meant: str) -> None:
    assert analyser.canonical(said) == analyser.canonical(meant)


def test_longest_word_wins() -> None:
    analyser = Analyser(Synonyms(groups=(("备案", "登记"), ("备案表", "登记表"))))
    assert analyser.canonical("登记表") == "备案表"
    assert analyser.canonical("登记") == "备案"


def test_canonical_word_is_not_rewritten_inside_itself() -> None:
    analyser = Analyser(Synonyms(groups=(("手机上", "手机", "网上"),)))
    assert analyser.canonical("手机上办") == "手机上办"
    assert analyser.canonical("手机办") == "手机上办"


def test_stopwords_are_dropped_from_tokens() -> None:
    analyser = Analyser(Synonyms(groups=(("报销", "报账"),), stopwords=("请问",)))
    assert "请问" not in analyser.analyse("请问报账")
    assert "报销" in analyser.analyse("请问报账")


def test_tokens_are_words_bigrams_and_characters(analyser: Analyser) -> None:
    tokens = analyser.analyse("异地备案")
    assert {"异地", "备案", "地备", "异"} <= set(tokens)
    assert tokens["异地"] > tokens["地备"] > tokens["异"]


def test_homophones_share_sound_tokens() -> None:
    analyser = Analyser(Synonyms(groups=(("报销", "报账"),)))
    sounds = {t for t in analyser.analyse("背岸") if is_sound(t)}
    assert sounds and sounds <= set(analyser.analyse("备案"))


def test_english_stopwords_are_dropped(analyser: Analyser) -> None:
    assert "the" not in analyser.analyse("What is the deadline")
    assert "deadline" in analyser.analyse("What is the deadline")
