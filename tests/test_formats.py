"""Region formats: format.yaml checks (PD8xx), inheritance, formulas and scoring as settings, place as data."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.cli.main import main
from perfdoc.compute import expr
from perfdoc.load.formats import check_format, format_tree, load_format, merge
from perfdoc.pipeline import check_text
from perfdoc.render.extract import document_text

REPO = Path(__file__).resolve().parent.parent

LINXIANG = REPO / "sources" / "hunan-linxiang" / "临湘市总工会" / "2022.yaml"


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A templates folder with the shipped national base and a small family ``fam`` with one template."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates" / "national", templates / "national")
    family = templates / "fam"
    family.mkdir()
    shutil.copy(REPO / "templates" / "hunan-department" / "自评报告.docx", family / "报告.docx")
    (family / "format.yaml").write_text(FAMILY, encoding="utf-8")
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(templates))
    monkeypatch.chdir(tmp_path)
    return templates


FAMILY = """\
名称: fam
基于: national
说明: 测试表式
地区由数据指定: true
文档:
  - {名称: 报告, 模板: 报告.docx}
等次:
  - {名称: 优秀, 最低分: 90}
  - {名称: 合格, 最低分: 60}
  - {名称: 不合格, 最低分: 0}
"""


def member(root: Path, name: str, text: str) -> Path:
    folder = root / name
    folder.mkdir(exist_ok=True)
    (folder / "format.yaml").write_text(text, encoding="utf-8")
    return folder


def problems(root: Path, name: str) -> list:
    return check_format(root / name, root)[1]


def codes(root: Path, name: str) -> list:
    return [(d.code, d.severity.value) for d in problems(root, name)]


# ------------------------------------------------------------------ merge and inheritance


def test_mappings_merge_key_by_key_and_lists_replace():
    base = {"指标名称": {"一级": {"产出": "产出指标", "效益": "效益指标"}}, "等次": [1, 2, 3], "地区": "甲"}
    override = {"指标名称": {"一级": {"产出": "产出目标"}}, "等次": [9]}
    assert merge(base, override) == {"指标名称": {"一级": {"产出": "产出目标", "效益": "效益指标"}}, "等次": [9], "地区": "甲"}
    assert base["指标名称"]["一级"]["产出"] == "产出指标"  # the base is not changed


def test_member_inherits_settings_and_templates_and_overrides_some(root):
    member(root, "county", "基于: fam\n地区: 华容县\n公式:\n  预算调整率: 调整数 / 调整后预算\n"
                           "指标名称:\n  一级: {产出: 产出目标}\n")
    fmt = load_format("county")
    parent = load_format("fam")
    assert fmt.name == "county" and fmt.parent == "fam"
    assert fmt.documents[0].template == (root / "fam" / "报告.docx").resolve()
    assert [g.name for g in fmt.grades] == ["优秀", "合格", "不合格"]
    assert fmt.formulas["预算调整率"].text == "调整数 / 调整后预算"
    assert fmt.formulas["预算完成率"].text == parent.formulas["预算完成率"].text
    assert fmt.labels["一级"] == {"产出": "产出目标", "效益": "效益指标", "满意度": "满意度指标"}
    assert fmt.options["财政部门"] == "华容县财政局"
    assert not fmt.abstract and load_format("national").abstract  # 仅供继承 is not inherited


def test_a_folder_template_replaces_the_inherited_one(root):
    folder = member(root, "own", "基于: fam\n地区: 岳阳市\n")
    shutil.copy(root / "fam" / "报告.docx", folder / "报告.docx")
    assert load_format("own").documents[0].template == (folder / "报告.docx").resolve()


def test_a_list_in_a_member_replaces_the_whole_list(root):
    member(root, "two", "基于: fam\n等次:\n  - {名称: 好, 最低分: 50}\n  - {名称: 差, 最低分: 0}\n")
    assert [g.name for g in load_format("two").grades] == ["好", "差"]


def test_shipped_family_members_are_a_few_lines_each():
    for name, region in (("hunan-linxiang", "临湘市"), ("hunan-yueyang", "岳阳市"), ("hunan-pingjiang", "平江县")):
        fmt = load_format(name)
        lines = [line for line in fmt.config_path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
        assert len(lines) <= 6 and fmt.parent == "hunan-department"
        assert fmt.options == {"地区": region, "财政部门": f"{region}财政局", "变动提示阈值": 30}
        assert fmt.documents[0].template.parent.name == "hunan-department"
        assert not any(p.suffix == ".docx" for p in fmt.folder.iterdir())


def test_formats_shows_the_tree_and_survives_a_broken_folder(root):
    member(root, "county", "基于: fam\n地区: 华容县\n")
    member(root, "broken", "基于: fam\n模版: x.docx\n")
    result = run("formats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("national") and "仅供继承" in lines[0]
    assert any(line.startswith("    └─ fam") for line in lines)
    assert any(line.startswith("        └─ county") and "华容县" in line for line in lines)
    broken = next(line for line in lines if "broken" in line)
    assert "有错误" in broken and "format.yaml:2:1: PD802" in broken and "是否应为“模板”（写在“文档[].模板”处）" in broken
    assert [row[0] for row in format_tree(root)] == ["national", "fam", "broken", "county"]


# ------------------------------------------------------------------ PD8xx: each code fails and passes


BAD_AND_GOOD = {
    "PD801": ("基于: fam\n地区: [华容县\n", "基于: fam\n地区: 华容县\n"),
    "PD802": ("基于: fam\n模版: 报告.docx\n", "基于: fam\n说明: 报告\n"),
    "PD803": ("基于: fam\n文档:\n  - {名称: 报告}\n", "基于: fam\n文档:\n  - {名称: 报告, 模板: 报告.docx}\n"),
    "PD804": ("基于: fam\n等次:\n  - {名称: 优秀, 最低分: 九十}\n  - {名称: 差, 最低分: 0}\n",
              "基于: fam\n等次:\n  - {名称: 优秀, 最低分: 90}\n  - {名称: 差, 最低分: 0}\n"),
    "PD805": ("基于: fam\n等次:\n  - {名称: 良好, 最低分: 80}\n  - {名称: 优秀, 最低分: 90}\n  - {名称: 差, 最低分: 0}\n",
              "基于: fam\n等次:\n  - {名称: 优秀, 最低分: 90}\n  - {名称: 良好, 最低分: 80}\n  - {名称: 差, 最低分: 0}\n"),
    "PD806": ("基于: fam\n评分:\n  总分: 10\n  指标外分项:\n    预算执行率: {方式: 线性, 分值: 10, 比率: 预算完成率}\n",
              "基于: fam\n评分:\n  总分: 100\n  指标外分项:\n    预算执行率: {方式: 线性, 分值: 10, 比率: 预算完成率}\n"),
    "PD807": ("基于: fam\n指标名称:\n  二级: {数量: \"\"}\n", "基于: fam\n指标名称:\n  二级: {数量: 数量}\n"),
    "PD808": ("基于: fam\n文档:\n  - {名称: 报告, 模板: 没有.docx}\n", "基于: fam\n文档:\n  - {名称: 报告, 模板: 报告.docx}\n"),
    "PD809": ("基于: famm\n", "基于: fam\n"),
    "PD810": ("基于: fam\n公式:\n  预算完成率: 实际支出合计 / 调整后预箅\n", "基于: fam\n公式:\n  预算完成率: 实际支出合计 / 调整后预算\n"),
    "PD811": ("基于: fam\n评分:\n  指标计分:\n    预算控制率: {方式: 扣分, 分值: 8, 比率: 预算调整率}\n",
              "基于: fam\n评分:\n  指标计分:\n    预算控制率: {方式: 扣分, 分值: 8, 比率: 预算调整率, 基准: 0, 方向: 超出, 扣: 0.8}\n"),
}


@pytest.mark.parametrize("code", sorted(BAD_AND_GOOD))
def test_each_format_code_fails_and_passes(root, code):
    bad, good = BAD_AND_GOOD[code]
    member(root, "case", bad)
    found = problems(root, "case")
    assert code in [d.code for d in found], found
    assert all(d.file.endswith("format.yaml") and d.location is not None for d in found)
    member(root, "case", good)
    assert [d for d in problems(root, "case") if d.is_error] == []


def test_messages_are_located_with_did_you_mean(root):
    member(root, "case", "基于: fam\n地区: 华容县\n模版: 报告.docx\n")
    (found,) = problems(root, "case")
    assert (found.file, found.location.line, found.location.col) == ("templates/case/format.yaml", 3, 1)
    assert found.message == "没有“模版”这个设置；是否应为“模板”（写在“文档[].模板”处）？"
    member(root, "cycle", "基于: cycle2\n")
    member(root, "cycle2", "基于: cycle\n")
    assert "循环" in problems(root, "cycle")[0].message


def test_a_bad_format_never_gives_an_internal_error(root, tmp_path):
    member(root, "case", "基于: fam\n等次:\n  - {名称: 优秀, 最低分: 九十}\n")
    source = tmp_path / "s.yaml"
    source.write_text("格式: case\n年度: 2022\n部门:\n  名称: 甲\n", encoding="utf-8")
    result = run("validate", str(source))
    assert result.exit_code == 1
    assert "内部错误" not in result.output and "Traceback" not in result.output
    assert "PD108" in result.output and "templates/case/format.yaml:3:" in result.output and "PD804" in result.output
    result = run("new", "--format", "case", "--department", "甲", "--year", "2023")
    assert result.exit_code == 1 and "内部错误" not in result.output and "PD804" in result.output


def test_problems_in_a_base_are_placed_in_the_base(root):
    (root / "fam" / "format.yaml").write_text(FAMILY.replace("最低分: 60", "最低分: 95"), encoding="utf-8")
    member(root, "county", "基于: fam\n地区: 华容县\n")
    found = [d for d in problems(root, "county") if d.code == "PD805"]
    assert found and found[0].file == "templates/fam/format.yaml" and found[0].location.line == 9


# ------------------------------------------------------------------ formulas


@pytest.mark.parametrize("formula, words, column", [
    ("实际支出合计.__class__ / 调整后预算", "不能访问属性", 7),
    ("__import__(实际支出合计)", "不能调用", 1),
    ("实际支出合计 / (调整后预算", "应为“)”", 16),
    ("实际支出合计 / " + " + ".join(["调整后预算"] * 40), "公式过长", 201),
    ("min(" * 13 + "调整后预算" + ")" * 13, "嵌套过深", 53),
])
def test_formulas_that_are_malformed_too_long_or_reach_for_attributes_are_refused(root, formula, words, column):
    member(root, "case", f"基于: fam\n公式:\n  预算完成率: {formula}\n")
    (found,) = problems(root, "case")
    assert found.code == "PD810" and words in found.message
    assert (found.location.line, found.location.col) == (3, 9 + column)  # the value starts in column 10


def test_scoring_rules_are_checked_with_their_place(root):
    member(root, "case", "基于: fam\n评分:\n  指标计分:\n    预算控制率:\n      方式: 分档\n      分值: 8\n      比率: 预算调整率\n"
                         "      分档: [{不超过: 10, 得分: 6}, {不超过: 0, 得分: 8}]\n")
    (found,) = problems(root, "case")
    assert found.code == "PD811" and "从小到大" in found.message and found.location.line == 8
    member(root, "case", "基于: fam\n评分:\n  指标计分:\n    预算控制率: {方式: 比例, 分值: 8, 比率: 预算调整率}\n")
    (found,) = problems(root, "case")
    assert found.code == "PD804" and "可用：线性、分档、扣分" in found.message


def test_expressions_evaluate_with_intervals_and_never_run_python():
    formula = expr.parse("max(a - b, 0) * 2 >= 1")
    assert formula.names == ("a", "b")
    value = expr.evaluate(formula, lambda name: expr.Value(Decimal({"a": "3", "b": "2"}[name]), None))
    assert value.value == 1
    with pytest.raises(expr.Undefined):
        expr.evaluate(expr.parse("a / b"), lambda name: expr.Value(Decimal({"a": "1", "b": "0"}[name]), None))
    assert expr.evaluate(expr.parse("a / b"), lambda name: None) is None  # not given is not zero
    for hostile in ("a[0]", "'x'", "lambda: 1", "a if b else c", "a ** 2"):
        with pytest.raises(expr.FormulaError):
            expr.parse(hostile)


HUNAN_BUDGET = """\
格式: hunan-department
地区: 平江县
预算:
  年初预算: 500
  调整数: 0
  年初结余: 10
  实际支出:
    一般公共预算: 500
  预算完成率: "{rate}"
"""


def diagnostics(text: str) -> list:
    return check_text("年度: 2022\n部门:\n  名称: 甲\n" + text, "s.yaml").diagnostics


def test_hunan_completion_rate_counts_the_opening_balance():
    assert [d.code for d in diagnostics(HUNAN_BUDGET.format(rate="98.04%")) if d.code == "PD202"] == []
    (wrong,) = [d for d in diagnostics(HUNAN_BUDGET.format(rate="100%")) if d.code == "PD202"]
    assert "实际支出合计 500.00 ÷ (年初结余 10.00 + 调整后预算 500.00)" in wrong.message and "98.04%" in wrong.message
    national = HUNAN_BUDGET.replace("hunan-department", "guangzhou").replace("地区: 平江县\n", "")
    assert [d.code for d in diagnostics(national.format(rate="100%")) if d.code == "PD202"] == []


INDICATORS = """\
指标:
  - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 权重: 50, 得分: 50}
  - {一级: 效益, 二级: 社会效益, 名称: 提升职工业务水平, 权重: 40, 得分: 40}
"""


def test_points_outside_the_indicators_are_a_setting_of_the_shipped_formats():
    assert "PD301" not in [d.code for d in diagnostics("格式: guangzhou\n" + INDICATORS)]
    assert "PD301" in [d.code for d in diagnostics("格式: hunan-linxiang\n" + INDICATORS)]


def test_a_format_with_points_outside_the_indicators_gets_no_pd301_on_right_weights(root):
    member(root, "outside", "基于: fam\n评分:\n  指标外分项:\n    预算执行率: {方式: 线性, 分值: 10, 比率: 预算完成率}\n")
    text = "年度: 2022\n地区: 华容县\n部门:\n  名称: 甲\n格式: outside\n" + INDICATORS
    assert "PD301" not in [d.code for d in check_text(text).diagnostics]


def test_indicator_scoring_rules_give_the_expected_score(root):
    member(root, "scored", "基于: fam\n评分:\n  指标计分:\n    预算控制率:\n      方式: 分档\n      分值: 8\n      比率: 预算调整率\n"
                           "      分档: [{不超过: 0, 得分: 8}, {不超过: 10, 得分: 6}, {不超过: 20, 得分: 4}, {不超过: 30, 得分: 2}]\n")
    text = ("年度: 2022\n地区: 华容县\n部门:\n  名称: 甲\n格式: scored\n预算:\n  年初预算: 100\n  调整数: 15\n"
            "指标:\n  - {一级: 产出, 二级: 数量, 名称: 预算控制率, 权重: 8, 得分: %s}\n")
    assert "PD306" not in [d.code for d in check_text(text % 4).diagnostics]
    (found,) = [d for d in check_text(text % 6).diagnostics if d.code == "PD306"]
    assert "应为 4" in found.message and "≤20% 得 4" in found.hint


# ------------------------------------------------------------------ place as data


def test_a_county_format_of_only_format_yaml_builds_a_cover_naming_its_bureau(tmp_path):
    text = LINXIANG.read_text(encoding="utf-8").replace("格式: hunan-linxiang", "格式: hunan-pingjiang")
    source = tmp_path / "sources" / "hunan-pingjiang" / "临湘市总工会" / "2022.yaml"
    source.parent.mkdir(parents=True)
    source.write_text(text, encoding="utf-8")
    result = run("render", str(source), "-o", str(tmp_path / "out.docx"))
    assert result.exit_code == 0, result.output
    lines = document_text((tmp_path / "out.docx").read_bytes()).splitlines()
    assert "平江县2022年度部门（单位）整体支出" in lines and "平江县财政局（制）" in lines
    assert not any("临湘市财政局" in line for line in lines)


def test_a_source_names_its_own_place_in_the_family_format(tmp_path):
    text = LINXIANG.read_text(encoding="utf-8").replace("格式: hunan-linxiang", "格式: hunan-department\n地区: 华容县")
    source = tmp_path / "2022.yaml"
    source.write_text(text, encoding="utf-8")
    result = run("render", str(source), "-o", str(tmp_path / "out.docx"))
    assert result.exit_code == 0, result.output
    lines = document_text((tmp_path / "out.docx").read_bytes()).splitlines()
    assert "华容县2022年度部门（单位）整体支出" in lines and "华容县财政局（制）" in lines


@pytest.mark.parametrize("place, message", [
    ("", "请写“地区”"),
    ("地区: 华容\n", "不像一个地区名称"),
    ("地区: 华容县\n财政部门: 华容县人民政府\n", "不像财政部门的名称"),
])
def test_a_named_place_is_validated(place, message):
    found = [d for d in diagnostics("格式: hunan-department\n" + place) if d.code == "PD110"]
    assert len(found) == 1 and message in found[0].message


def test_a_place_is_refused_where_the_format_fixes_it():
    assert "PD110" not in [d.code for d in diagnostics("格式: hunan-department\n地区: 华容县\n")]
    (found,) = [d for d in diagnostics("格式: guangzhou\n地区: 华容县\n") if d.code == "PD110"]
    assert "不能改写" in found.message


# ------------------------------------------------------------------ layout and new-format


def test_evaluator_rows_are_a_layout_setting(root, tmp_path):
    from perfdoc.render.context import build_context

    member(root, "six", "基于: fam\n地区: 华容县\n版式:\n  评价人员行数: 6\n")
    result = check_text("格式: six\n年度: 2022\n部门:\n  名称: 甲\n评价人员:\n  - {姓名: 汪郁}\n")
    assert len(build_context(result.analysis)["评价人员表"]) == 6
    result = check_text("格式: fam\n年度: 2022\n地区: 华容县\n部门:\n  名称: 甲\n评价人员:\n  - {姓名: 汪郁}\n")
    assert len(build_context(result.analysis)["评价人员表"]) == 4


def test_new_format_writes_an_inheriting_folder_that_checks_clean(root):
    result = run("new-format", "huarong", "--from", "fam", "--region", "华容县")
    assert result.exit_code == 0, result.output
    text = (root / "huarong" / "format.yaml").read_text(encoding="utf-8")
    assert "基于: fam" in text and "地区: 华容县" in text and text.count("\n#") >= 5
    assert sorted(p.name for p in (root / "huarong").iterdir()) == ["format.yaml"]
    assert load_format("huarong").options["财政部门"] == "华容县财政局"
    result = run("check-format", "huarong")
    assert result.exit_code == 0, result.output
    assert run("new-format", "huarong", "--from", "fam").exit_code == 1  # exists
    result = run("new-format", "x", "--from", "fma")
    assert result.exit_code == 2 and "是否应为“fam”" in result.output


def test_check_format_exit_codes_and_json(root):
    member(root, "case", "基于: fam\n模版: x\n")
    result = run("check-format", "case", "--format", "json")
    assert result.exit_code == 1
    (entry,) = json.loads(result.output)
    assert entry["code"] == "PD802" and entry["file"] == "templates/case/format.yaml" and entry["line"] == 2
    assert run("check-format", "fam").exit_code == 0
    assert run("check-format", "nosuch").exit_code == 2
    assert run("check-format", str(root / "fam")).exit_code == 0


def test_shipped_formats_check_clean():
    result = CliRunner().invoke(main, ["check-format"], env={"PERFDOC_TEMPLATES": str(REPO / "templates")})
    assert result.exit_code == 0, result.output
    formats = [f for f in (REPO / "templates").iterdir() if (f / "format.yaml").is_file()]
    templates = list((REPO / "templates").glob("*/*.docx"))
    assert result.output.strip() == f"检查了 {len(formats)} 个格式、{len(templates)} 个模板：0 个错误，0 个警告"


def test_a_key_written_twice_is_refused_not_guessed(root):
    member(root, "case", "基于: fam\n基于: national\n")
    (found,) = problems(root, "case")
    assert found.code == "PD801" and "重复" in found.message and found.location.line == 2


@pytest.mark.parametrize("text", ["文档: 5\n", "- a\n", "等次: [1, 2]\n", "公式: {预算完成率: 5}\n", "名称: [a]\n",
                                  "评分: {总分: .nan}\n", "版式: {评价人员行数: -1}\n", "基于: ../fam\n",
                                  "文档: [{名称: a, 模板: ../../etc/passwd}]\n", "指标名称: {一级: {产出: ''}}\n"])
def test_hostile_format_yaml_is_reported_never_raised(root, text):
    member(root, "case", "基于: fam\n" + text if not text.startswith(("-", "基于")) else text)
    found = problems(root, "case")
    assert any(d.is_error for d in found) and all(d.code.startswith("PD8") and d.location for d in found)
    result = run("formats")
    assert result.exit_code == 0 and "内部错误" not in result.output and "case\t（有错误" in result.output


# ------------------------------------------------------------------ a section is generated or written, never both


def test_a_section_the_template_writes_cannot_also_be_required(root):
    written = "基于: fam\n文档:\n  - 名称: 报告\n    模板: 报告.docx\n    必需章节: [{0}]\n    模板写出: {{人员情况: 写出编制与人数}}\n"
    member(root, "case", written.format("人员情况, 存在问题"))
    (found,) = problems(root, "case")
    assert found.code == "PD805" and found.is_error and "“人员情况”不填写时由模板写出" in found.message
    assert (found.file, found.location.line) == ("templates/case/format.yaml", 6)
    member(root, "case", written.format("存在问题"))
    assert [d for d in problems(root, "case") if d.is_error] == []


def test_every_shipped_format_declares_what_its_templates_write_and_prints_what_it_requires():
    """Each declared 模板写出 section is read by its template (to print it when written); no section is both."""
    from perfdoc.load.formats import available_formats

    for name in available_formats():
        fmt = load_format(name)
        for document in fmt.documents:
            assert not set(document.generated_sections) & set(document.required_sections), (name, document.name)
            if document.printed_sections is not None:
                assert set(document.generated_sections) <= document.printed_sections, (name, document.name)
                assert set(document.required_sections) <= document.printed_sections, (name, document.name)
    assert set(load_format("hunan-linxiang").generated_sections) == {"机构设置", "人员情况", "支出概况", "基本支出情况"}
    assert set(load_format("guangzhou").generated_sections) == {"机构设置", "人员情况", "绩效管理情况", "自评结论"}
    assert set(load_format("hunan-yiyang").generated_sections) == {"综合评价结论"}
    assert load_format("sichuan-project").printed_sections == frozenset()
