from decimal import Decimal

import pytest

from perfdoc.load.loader import load_path, load_text


def reference(text: str, path: str = "<text>"):
    """The reference reader alone, the definition of what load_text returns."""
    return load_text(text, path, fast=False)


def refusal(loaded):
    """The diagnostic that stopped reading: the source is None, and it is the last one (loading never raises)."""
    assert loaded.source is None, loaded
    return loaded.diagnostics[-1]


def test_numbers_are_decimal_from_text_and_positions_are_kept():
    source, diagnostics = load_text("预算:\n  年初预算: 643.450\n  调整数: 12\n")
    assert source.data["预算"]["年初预算"] == Decimal("643.450")
    assert str(source.data["预算"]["年初预算"]) == "643.450"
    loc = source.positions[("预算", "调整数")]
    assert (loc.line, loc.col) == (3, 8)


def test_duplicate_key_is_reported_not_overwritten():
    source, diagnostics = load_text("a: 1\na: 2\n")
    assert source.data == {"a": 1}
    (diag,) = diagnostics
    assert diag.code == "PD004" and diag.location.line == 2


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    problem = refusal(load_text("\n".join(lines) + "\n"))
    assert problem.code == "PD003"


def test_gbk_file_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_bytes("部门:\n  名称: 临湘市总工会\n".encode("gbk"))
    problem = refusal(load_path(path))
    assert problem.code == "PD002" and "UTF-8" in problem.message


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_bytes("\ufeff年度: 2022\n".encode("utf-8"))
    assert load_path(path).data == {"年度": 2022}


def test_tab_indentation_is_located(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text("部门:\n\t名称: x\n", encoding="utf-8")
    problem = refusal(load_path(path))
    assert problem.location.line == 2


def test_control_characters_are_stripped_with_a_warning():
    source, diagnostics = load_text('a: "甲\\x0b乙"\n')
    assert source.data["a"] == "甲乙"
    assert diagnostics[0].code == "PD005"


@pytest.mark.parametrize("text", ["a: [1, 2\n", "a: 'x\n", "a:\n  b: 1\n c: 2\n"])
def test_syntax_errors_carry_a_location(text):
    problem = refusal(load_text(text))
    assert problem.code == "PD001" and problem.location is not None


@pytest.mark.parametrize("character", ["\x7f", "\x80", "\x85", "\x9f"])
def test_del_and_c1_controls_are_stripped_with_a_located_warning(character):
    source, diagnostics = load_text(f"a: 1\nb: 甲{character}乙\nc: |\n  丙{character}\n")
    assert source.data == {"a": 1, "b": "甲乙", "c": "丙\n"}
    assert [(d.code, d.location.line, d.location.col) for d in diagnostics] == [("PD005", 2, 5), ("PD005", 4, 4)]


def test_escaped_c1_controls_are_stripped_from_the_value():
    source, diagnostics = load_text('a: "甲\\x80乙\\N"\n')
    assert source.data["a"] == "甲乙" and diagnostics[0].code == "PD005"


def test_a_character_yaml_refuses_is_located_in_chinese():
    problem = refusal(load_text("a: 1\nb: 甲\ud800\n"))
    assert problem.code == "PD001" and (problem.location.line, problem.location.col) == (2, 5)
    assert "U+D800" in problem.message and "unacceptable" not in problem.message


def test_an_unmarked_yaml_error_still_has_a_chinese_message(monkeypatch):
    import perfdoc.load.loader
    from ruamel.yaml.error import YAMLError

    def broken(text):
        raise YAMLError("something odd")

    monkeypatch.setattr(perfdoc.load.loader, "_compose", broken)
    problem = refusal(reference("a: 1\n"))
    assert problem.code == "PD001" and problem.message.startswith("YAML 语法错误：文件无法按 YAML 读取")


FULLWIDTH_COLON = "第 {line} 行的键“{key}”后面用了全角冒号“：”，YAML 需要半角冒号“:”加空格，请改为“{key}: ”"


@pytest.mark.parametrize(
    "text, line, col, key",
    [
        ("格式: x\n年度：2022\n部门:\n  名称: 甲\n", 2, 3, "年度"),  # was reported on line 3
        ("格式: x\n年度： 2022\n", 2, 3, "年度"),
        ("格式: x\n年度：2022", 2, 3, "年度"),
        ("格式：x\n年度: 2022\n", 1, 3, "格式"),
        ("部门：\n  名称: 甲\n", 1, 3, "部门"),
        ("部门:\n  名称: 甲\n  简称： 乙\n  联系人: 丙\n", 3, 5, "简称"),
        ("部门:\n  名称：甲\n  简称: 乙\n", 2, 5, "名称"),
        ("项目:\n  - 名称: 甲\n    金额：5\n  - 名称: 乙\n", 3, 7, "金额"),
        ("项目:\n  - 名称：甲\n    金额: 5\n", 2, 7, "名称"),
        ("格式: x\r年度：2022\r部门: 1\r", 2, 3, "年度"),
    ],
)
def test_a_full_width_colon_after_a_key_is_named_on_its_line(text, line, col, key):
    for load in (load_text, reference):
        problem = refusal(load(text))
        assert problem.code == "PD001"
        assert problem.message == "YAML 语法错误：" + FULLWIDTH_COLON.format(line=line, key=key)
        assert (problem.location.line, problem.location.col) == (line, col)


@pytest.mark.parametrize(
    "text, line, col, space",
    [
        ("部门:\n\u3000\u3000名称: 甲\n", 2, 1, "全角空格“　”（U+3000）"),  # was read as the key "　　名称"
        ("部门:\n  名称: 甲\n  \u3000简称: 乙\n", 3, 3, "全角空格“　”（U+3000）"),
        ("项目:\n\u3000\u3000- 名称: 甲\n", 2, 1, "全角空格“　”（U+3000）"),
        ("部门:\n\xa0\xa0名称: 甲\n", 2, 1, "不间断空格（U+00A0）"),
        ("部门:\n  名称: 甲\n\xa0\xa0简称: 乙\n  联系人: 丙\n", 3, 1, "不间断空格（U+00A0）"),
        ("部门:\n  名称: 甲\n   \xa0简称: 乙\n", 3, 4, "不间断空格（U+00A0）"),
        ("部门:\n    名称: 甲\n  \u3000简称: 乙\n", 3, 3, "全角空格“　”（U+3000）"),
        ("叙述:\n  存在问题: 甲\n\u3000\u3000乙\n", 3, 1, "全角空格“　”（U+3000）"),
        ("存在问题:\n\u3000\u3000甲乙\n", 2, 1, "全角空格“　”（U+3000）"),
        ("部门:\r\u3000\u3000名称: 甲\r", 2, 1, "全角空格“　”（U+3000）"),
        ("部门:\n  名称: 甲\n\u3000职能: \n    - 乙\n  人数: 3\n", 3, 1, "全角空格“　”（U+3000）"),  # was line 5
    ],
)
def test_indentation_with_full_width_or_no_break_spaces_is_named_on_its_line(text, line, col, space):
    for load in (load_text, reference):
        problem = refusal(load(text))
        assert problem.code == "PD001"
        assert problem.message == f"YAML 语法错误：第 {line} 行的缩进用了{space}，YAML 只认普通空格，请改为普通空格"
        assert (problem.location.line, problem.location.col) == (line, col)


@pytest.mark.parametrize(
    "text",
    [
        "叙述:\n  存在问题: |\n    \u3000\u3000本年度指标设置有待细化。\n",  # a paragraph's first-line indent
        "叙述:\n  存在问题:\n    \u3000\u3000本年度指标设置有待细化。\n",
        "叙述:\n  存在问题: 一是：指标\n",
        "叙述:\n  存在问题:\n    一是：指标\n",
        "\"\u3000名称\": 甲\n",  # quoted: meant
        "部门: {名称：甲}\n",
    ],
)
def test_full_width_colons_and_spaces_in_text_are_kept(text):
    assert load_text(text).data == reference(text).data


def test_a_colon_in_text_is_not_blamed_on_a_full_width_colon_before_it():
    problem = refusal(load_text("叙述:\n  存在问题: 本年度\n    一是：指标\n    二是: 部分\n"))
    assert "全角" not in problem.message and problem.location.line == 4


def test_every_syntax_error_of_a_file_is_reported_in_one_run():
    from perfdoc.pipeline import check_text

    text = (
        "格式: guangzhou\n年度: 2023\n部门:\n  名称: 甲\n  联系人: \"李\n"
        "预算:\n  年初预算:643.45\n  调整数: 1\n任务:\n  - 名称: [甲\n叙述:\n  存在问题: 好\n"
    )
    found = [(d.location.line, d.location.col, d.message) for d in check_text(text, "2023.yaml").diagnostics]
    assert found == [
        (5, 8, "YAML 语法错误：引号未闭合"),
        (7, 7, "YAML 语法错误：第 7 行的键“年初预算”后面的冒号“:”缺少空格，请改为“年初预算: 643.45”"),
        (10, 9, "YAML 语法错误：括号未闭合或各项之间缺少逗号"),
    ]


def test_a_key_joined_to_its_value_without_a_space_gets_a_hint():
    from perfdoc.pipeline import check_text

    result = check_text("格式: guangzhou\n年度: 2023\n部门:\n  名称:甲\n", "2023.yaml")
    (wrong,) = [d for d in result.diagnostics if d.code == "PD103"]
    assert wrong.hint.startswith("“名称”后面的冒号“:”缺少空格") and wrong.location.line == 4
