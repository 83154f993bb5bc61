from decimal import Decimal

import pytest

from perfdoc.numbers import (
    Amount,
    AmountSyntaxError,
    Interval,
    Percent,
    decimals,
    format_amount,
    parse_amount,
    ratio_percent,
    round_half_up,
)


@pytest.mark.parametrize(
    "value, places, expected",
    [("2.345", 2, "2.35"), ("2.335", 2, "2.34"), ("-2.345", 2, "-2.35"), ("0.005", 2, "0.01"), ("92.8326", 2, "92.83")],
)
def test_round_half_up(value, places, expected):
    assert str(round_half_up(Decimal(value), places)) == expected


def test_amount_keeps_written_precision_and_converts_yuan():
    assert parse_amount(Decimal("12.1")) == (Decimal("12.1"), "万元")
    value, unit = parse_amount("56000元")
    assert unit == "元" and value == Decimal("5.6") and decimals(value) == 4
    assert parse_amount("1,234.50 万元")[0] == Decimal("1234.50")


@pytest.mark.parametrize("raw", ["abc", "12.3.4", "1.1234567", "1.234元", True, Decimal("NaN"), [1]])
def test_bad_amounts(raw):
    with pytest.raises(AmountSyntaxError):
        parse_amount(raw)


def test_interval_sum_of_rounded_items():
    items = ["95.45", "27.74", "31.06", "26.04", "10.42", "0.60", "21.91", "16.43"]
    total = Interval.exact(Decimal(0))
    for item in items:
        total = total + Interval.of_written(Decimal(item))
    assert total.overlaps(Interval.of_written(Decimal("229.64")))
    assert not total.overlaps(Interval.of_written(Decimal("229.75")))


def test_display_of_amount_and_percent():
    assert str(Amount("12.1")) == "12.10"
    assert str(Amount("101.833")) == "101.833"
    assert format_amount(Decimal("101.833")) == "101.83"
    assert str(Percent(ratio_percent(Decimal("608.57"), Decimal("655.55")))) == "92.83%"
    assert ratio_percent(Decimal(0), Decimal(0)) == 0
    assert ratio_percent(Decimal(1), Decimal(0)) is None


@pytest.mark.parametrize(
    "raw, value, unit",
    [
        ("180万", "180", "万元"),
        ("１８０万元", "180", "万元"),
        ("1268.40万元", "1268.40", "万元"),
        ("2154000元", "215.4000", "元"),
        ("1，234.50", "1234.50", "万元"),
    ],
)
def test_amounts_as_clerks_type_them(raw, value, unit):
    assert parse_amount(raw) == (Decimal(value), unit)


def test_an_amount_typed_in_yuan_prints_like_one_typed_in_wan():
    from perfdoc.numbers import format_amount_as_written

    assert format_amount_as_written(parse_amount("34822000元")[0]) == "3482.20"
    assert format_amount_as_written(parse_amount("2154321元")[0]) == "215.4321"
    assert format_amount_as_written(Decimal("101.833")) == "101.833"


def test_rates_as_clerks_type_them():
    from perfdoc.numbers import parse_percent

    assert parse_percent("63.9％") == Decimal("63.9")
    with pytest.raises(AmountSyntaxError, match="如指 6.61%，请写作“6.61%”"):
        parse_percent(Decimal("0.0661"))
    assert parse_percent(Decimal("0.5")) == Decimal("0.5")


def test_a_refused_amount_names_the_fix():
    with pytest.raises(AmountSyntaxError, match="可带单位“万元”“万”或“元”"):
        parse_amount("约5万元")
