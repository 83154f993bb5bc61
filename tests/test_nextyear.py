"""``perfdoc next-year``: comments and order kept, the year's figures cleared, openings pre-filled."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.load.loader import load_text
from perfdoc.ops.nextyear import dump_text, round_trip_yaml
from perfdoc.numbers import round_half_up
from perfdoc.pipeline import check_file, check_text

REPO = Path(__file__).resolve().parent.parent
LINXIANG_2022 = REPO / "sources" / "hunan-linxiang" / "临湘市总工会" / "2022.yaml"
EXAMPLES_2023 = [
    REPO / "sources" / "guangzhou" / "广州市天河区总工会" / "2023.yaml",
    REPO / "sources" / "hunan-linxiang" / "临湘市总工会" / "2023.yaml",
]

# A source with comments everywhere, a non-zero balance and stated derived figures.
COMMENTED = """\
# 测试部门 2022 年度（顶部注释）
格式: hunan-linxiang  # 格式的行尾注释
年度: 2022

部门:
  名称: 测试部门  # 名称的行尾注释
  实有人数: 10
  上年实有人数: 9
  人员变动: {调入: 1}
  # 职能职责前的注释
  职能职责:
    - 第一条职责

报告:
  评价方式: 部门（单位）绩效自评
  报告日期: 2023-03-01
  填报人: 张三

机构收支:
  - 名称: 机关
    收入:
      上年结转: 1.5
      公共财政拨款: 100
    支出:
      人员支出: 60.135
      公用支出: 2
      项目支出: 0
      # 以下为填报的计算数
      支出合计: 62.135
  - 名称: 所属单位
    收入: {公共财政拨款: 10}
    支出: {人员支出: 10, 公用支出: 0, 项目支出: 0}  # not given would be unknown, not 0

项目:
  - 名称: 专项一
    年初预算: 20
    调整数: -2
    实际支出: 15
    用途: 慰问

指标:
  - {一级: 产出, 二级: 数量, 名称: 建会10家, 目标值: ≥10家, 实际值: 12家, 权重: 40, 得分: 40, 已完成: true}
  - 一级: 满意度
    二级: 服务对象满意度
    名称: 满意度
    目标值: ≥90%
    实际值: 95%
    权重: 60
    得分: 58

评分:
  综合得分: 98
  评价等次: 优秀

评价人员:
  - 姓名: 张三
    职务: 部长

叙述:
  总体运行情况: |
    全年支出{{ 收支合计.支出.支出合计 }}万元。

  # 存在问题前的注释
  存在问题: 暂无。
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def made(tmp_path):
    """COMMENTED as 2022.yaml and the 2023.yaml next-year makes from it."""
    source = tmp_path / "2022.yaml"
    source.write_text(COMMENTED, encoding="utf-8")
    result = run("next-year", source)
    assert result.exit_code == 0, result.output
    target = tmp_path / "2023.yaml"
    return source, target, target.read_text(encoding="utf-8")


def data_of(text):
    return load_text(text).data


def test_writes_next_year_beside_the_source(made):
    _source, target, text = made
    assert target.name == "2023.yaml"
    assert data_of(text)["年度"] == 2023


def test_keeps_comments_and_key_order(made):
    _source, _target, text = made
    for comment in (
        "# 测试部门 2022 年度（顶部注释）",
        "格式: hunan-linxiang  # 格式的行尾注释",
        "名称: 测试部门  # 名称的行尾注释",
        "# 职能职责前的注释",
        "# 存在问题前的注释",
    ):
        assert comment in text
    yaml = round_trip_yaml(COMMENTED)
    before, after = yaml.load(COMMENTED), yaml.load(text)
    assert list(after) == list(before)
    assert list(after["部门"]) == ["名称", "实有人数", "上年实有人数", "职能职责"]
    assert list(after["指标"][1]) == ["一级", "二级", "名称", "目标值", "实际值", "权重"]


def test_carries_facts_people_and_indicator_structure(made):
    _source, _target, text = made
    old, new = data_of(COMMENTED), data_of(text)
    assert new["格式"] == "hunan-linxiang"
    assert new["部门"]["名称"] == "测试部门" and new["部门"]["职能职责"] == ["第一条职责"]
    assert new["评价人员"] == old["评价人员"]
    assert new["报告"] == {"评价方式": "部门（单位）绩效自评", "填报人": "张三"}
    for before, after in zip(old["指标"], new["指标"]):
        for key in ("一级", "二级", "名称", "目标值", "权重"):
            assert after[key] == before[key]
    assert [p["名称"] for p in new["项目"]] == ["专项一"] and new["项目"][0]["用途"] == "慰问"


def test_clears_the_years_figures_results_and_narratives(made):
    _source, _target, text = made
    new = data_of(text)
    assert "人员变动" not in new["部门"]
    assert all(item["实际值"] == "" for item in new["指标"])
    assert not any(key in item for item in new["指标"] for key in ("得分", "已完成"))
    assert new["评分"] == {}
    assert new["叙述"] == {"总体运行情况": "", "存在问题": ""}
    assert "总体运行情况: |  # 待填写" in text and "存在问题: |  # 待填写" in text
    institution = new["机构收支"][0]
    assert institution["收入"] == {"上年结转": Decimal("39.37")}
    assert institution["支出"] == {}  # amounts and the stated 支出合计 are gone
    assert "支出: {}  # 待填写：人员支出、公用支出、项目支出" in text
    assert "# 以下为填报的计算数" not in text  # it described the removed stated figures
    assert set(new["项目"][0]) == {"名称", "上年结余", "用途"}
    assert "- 名称: 专项一  # 待填写：年初预算、调整数、实际支出" in text


def test_prefills_openings_from_this_years_closings(made):
    source, _target, text = made
    this_year = check_file(source).analysis
    new = data_of(text)
    assert new["部门"]["上年实有人数"] == this_year.model["部门"]["实有人数"] == 10
    for index, institution in enumerate(new["机构收支"]):
        balance = this_year.figures.get(("机构收支", index, "支出", "累计结余"))
        assert institution["收入"]["上年结转"] == round_half_up(balance, 2)
    assert "      上年结转: 39.37\n" in text  # 101.5 − 62.135 = 39.365, half-up to two decimals
    assert new["机构收支"][1]["收入"] == {"上年结转": Decimal("0.00")}
    assert new["项目"][0]["上年结余"] == Decimal("3.00")  # 20 − 2 − 15


def test_next_year_validates_without_errors(made):
    source, target, text = made
    result = check_text(text, str(target), previous_text=source.read_text(encoding="utf-8"))
    assert result.errors == []
    assert result.warnings  # what is still to be filled in


def test_amounts_in_yuan_are_prefilled_in_yuan(tmp_path):
    source = tmp_path / "2022.yaml"
    source.write_text(
        "格式: hunan-linxiang\n年度: 2022\n金额单位: 元\n部门:\n  名称: 甲\n"
        "机构收支:\n  - 名称: 机关\n    收入: {公共财政拨款: 1000000}\n    支出: {人员支出: 600000.5, 公用支出: 0, 项目支出: 0}\n",
        encoding="utf-8",
    )
    assert run("next-year", source).exit_code == 0
    text = (tmp_path / "2023.yaml").read_text(encoding="utf-8")
    assert "收入: {上年结转: 399999.50}" in text
    assert check_text(text, previous_text=source.read_text(encoding="utf-8")).errors == []


EXAMPLE_SOURCES = sorted((REPO / "sources").rglob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLE_SOURCES, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_every_examples_next_year_validates_with_only_what_is_left_to_fill(tmp_path, path):
    """Every format alike: the new file has no errors, and its warnings are things still to write."""
    source = tmp_path / path.name
    shutil.copyfile(path, source)
    result = run("next-year", source)
    assert result.exit_code == 0, result.output
    target = tmp_path / f"{int(path.stem) + 1}.yaml"
    checked = check_file(target)
    assert checked.errors == []
    assert checked.warnings and all(d.code in ("PD109", "PD111", "PD207", "PD701") for d in checked.warnings)
    assert run("validate", target).exit_code == 0
    assert run("validate", "--ready", target).exit_code == 1  # not ready to submit before it is filled in


def test_refuses_to_overwrite_without_force(made):
    source, target, _text = made
    target.write_text("已有内容\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["next-year", str(source)])
    assert result.exit_code == 1
    assert "已存在" in result.output and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "已有内容\n"
    assert run("next-year", source, "--force").exit_code == 0
    assert data_of(target.read_text(encoding="utf-8"))["年度"] == 2023


def test_output_option(tmp_path):
    source = tmp_path / "2022.yaml"
    source.write_text(COMMENTED, encoding="utf-8")
    target = tmp_path / "别处" / "下一年.yaml"
    assert run("next-year", source, "-o", target).exit_code == 0
    assert data_of(target.read_text(encoding="utf-8"))["年度"] == 2023


def test_unreadable_source_is_named(tmp_path):
    source = tmp_path / "2022.yaml"
    source.write_text("格式: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["next-year", str(source)])
    assert result.exit_code == 1
    assert str(source) in result.output


def test_seed_round_trip_is_byte_identical():
    for path in sorted((REPO / "sources").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        yaml = round_trip_yaml(text)
        assert dump_text(yaml, yaml.load(text)) == text, path


def test_seed_next_year_validates(tmp_path):
    source = tmp_path / "2022.yaml"
    shutil.copyfile(LINXIANG_2022, source)
    assert run("next-year", source).exit_code == 0
    text = (tmp_path / "2023.yaml").read_text(encoding="utf-8")
    assert check_file(tmp_path / "2023.yaml").errors == []
    assert "项目合计" not in text and "收支合计" not in text


@pytest.mark.parametrize("path", EXAMPLES_2023, ids=lambda p: p.parent.name)
def test_second_year_examples(path):
    """The illustrative second years: marked as such, valid, and continuous with their first year."""
    assert "示例数据，非真实数据" in path.read_text(encoding="utf-8").splitlines()[0]
    checked = check_file(path)
    assert checked.errors == []
    last_year = check_file(path.with_name("2022.yaml")).analysis
    this_year = checked.analysis
    assert this_year.model["年度"] == last_year.model["年度"] + 1
    staff = (last_year.model["部门"]).get("实有人数")
    assert this_year.model["部门"].get("上年实有人数") == staff
    for index, institution in enumerate(this_year.model.get("机构收支") or []):
        balance = last_year.figures.get(("机构收支", index, "支出", "累计结余"))
        assert institution["收入"]["上年结转"] == balance


def test_inserted_opening_keeps_the_section_gap_and_narrative_notes(tmp_path):
    source = tmp_path / "2022.yaml"
    source.write_text(
        "格式: guangzhou\n年度: 2022\n\n部门:\n  名称: 甲\n  实有人数: 10  # 实有人数\n\n"
        "叙述:\n  存在问题: |  # 存在的主要问题\n    暂无。\n",
        encoding="utf-8",
    )
    assert run("next-year", source).exit_code == 0
    text = (tmp_path / "2023.yaml").read_text(encoding="utf-8")
    assert "  实有人数: 10  # 实有人数\n  上年实有人数: 10\n\n叙述:\n" in text
    assert "  存在问题: |  # 存在的主要问题；待填写\n" in text


def test_a_deficit_is_not_carried_as_an_amount(tmp_path):
    source = tmp_path / "2022.yaml"
    source.write_text(
        "格式: hunan-linxiang\n年度: 2022\n部门:\n  名称: 甲\n"
        "机构收支:\n  - 名称: 机关\n    收入:\n      公共财政拨款: 10\n    支出:\n      人员支出: 12\n",
        encoding="utf-8",
    )
    assert run("next-year", source).exit_code == 0
    text = (tmp_path / "2023.yaml").read_text(encoding="utf-8")
    assert "上年结转" not in text
    assert check_text(text).errors == []
