"""Titles broken between words in the GB/T 9704 shapes (the 标题分行 filter)."""

from __future__ import annotations

import time

import pytest
from lxml import etree

from perfdoc.render.titles import split_title, title_lines, width

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.mark.parametrize(
    "title, lines",
    [
        ("广州市天河区总工会2022年部门整体支出绩效自评报告", ("广州市天河区总工会", "2022年部门整体支出绩效自评报告")),
        ("广州市天河区市场监督管理局2022年部门整体支出绩效自评报告", ("广州市天河区市场监督管理局", "2022年部门整体支出绩效自评报告")),
        ("2022年度广州市天河区总工会部门整体支出绩效自评表", ("2022年度广州市天河区总工会", "部门整体支出绩效自评表")),
        (
            "湖南省岳阳市临湘市2022年度部门（单位）整体支出绩效评价自评报告",
            ("湖南省岳阳市临湘市2022年度", "部门（单位）整体支出绩效评价自评报告"),
        ),
    ],
)
def test_a_long_title_breaks_between_words(title, lines):
    assert split_title(title) == lines


def test_a_title_that_fits_stays_one_line():
    assert split_title("项目支出绩效评价报告") == ("项目支出绩效评价报告",)
    assert split_title("2022年度广州市天河区总工会部门整体支出绩效自评表", 40) == ("2022年度广州市天河区总工会部门整体支出绩效自评表",)


def test_never_inside_a_year_a_place_or_a_bracket():
    for title in (
        "广州市天河区总工会2022年度部门（单位）整体支出绩效评价自评报告",
        "贵州省贵阳市市场监督管理局2022年度部门（单位）整体支出绩效评价自评报告",
    ):
        lines = split_title(title, 12)
        assert len(lines) > 2 and "".join(lines) == title
        for whole in ("2022年度", "部门（单位）", "市场", "管理局", "贵州省", "贵阳市", "广州市"):
            assert whole not in title or whole in "|".join(lines), lines


def test_lines_form_a_trapezoid_or_diamond_never_a_rectangle_or_hourglass():
    titles = [
        "广州市天河区人力资源和社会保障局关于2022年度部门整体支出绩效自评工作情况的报告",
        "中国共产党广州市天河区委员会组织部2022年部门整体支出绩效自评报告",
        "广州市从化区总工会2021年部门整体支出绩效自评报告",
    ]
    for title in titles:
        widths = [width(line) for line in split_title(title)]
        assert len(widths) > 1 and max(widths) <= 20
        assert max(widths) - min(widths) >= 1, widths  # not a rectangle
        assert min(widths[1:-1] or [99]) >= min(widths[0], widths[-1]), widths  # not an hourglass


def test_runs_carry_a_line_break_between_the_lines():
    runs = str(title_lines("广州市天河区总工会2022年部门整体支出绩效自评报告"))
    body = etree.fromstring(f'<w:p xmlns:w="{W}">{runs}</w:p>'.encode())
    assert len(body.findall(f".//{{{W}}}br")) == 1
    assert "".join(body.itertext()) == "广州市天河区总工会2022年部门整体支出绩效自评报告"


def test_a_title_with_no_way_to_fit_is_left_whole_and_quickly():
    began = time.monotonic()
    assert split_title("名" * 300) == ("名" * 300,)
    assert len(split_title("市区" * 200 + "2022年部门整体支出绩效自评报告")) == 1
    assert split_title("部门整体" * 30) == ("部门整体" * 30,)
    assert time.monotonic() - began < 1
    assert "&lt;" in str(title_lines("<标题>"))


def test_latin_words_and_signs_stay_with_their_neighbours():
    lines = split_title("广州市天河区总工会{{ 年度 }}{% if 1 %}{# 注 #}2022年部门整体支出绩效自评报告")
    assert "{{ 年度 }}{% if 1 %}{# 注 #}" in "|".join(lines)
