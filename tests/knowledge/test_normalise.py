from bot.knowledge.normalise import chinese_number, normalise


def test_full_width_is_folded_and_lower_cased() -> None:
    assert normalise("我要ＡＰＰ备案！！") == "我要app备案"


def test_punctuation_and_spaces_become_single_separators() -> None:
    assert normalise("  报销， 要带啥？？ ") == "报销 要带啥"


def test_number_words_before_units_become_digits() -> None:
    assert normalise("三月三十一号") == "3月31号"
    assert normalise("二十二个工作日") == "22个工作日"
    assert normalise("六个月") == "6个月"


def test_number_words_elsewhere_are_kept() -> None:
    assert normalise("一次性告知") == "一次性告知"
    assert normalise("三级医院") == "三级医院"
    assert normalise("办一个备案") == "办一个备案"


def test_percent_words_become_numbers() -> None:
    assert normalise("只报百分之二十") == "只报20"


def test_chinese_number_values() -> None:
    assert chinese_number("十五") == 15
    assert chinese_number("三十一") == 31
    assert chinese_number("二零二三") == 2023
    assert chinese_number("百") == 100
