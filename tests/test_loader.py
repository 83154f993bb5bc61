from decimal import Decimal

import pytest

from perfdoc.errors import SourceSyntaxError
from perfdoc.loader import load_path, load_text


def test_numbers_are_decimal_from_text_and_positions_are_kept():
    source = load_text("预算:\n  年初预算: 643.450\n  调整数: 12\n")
    assert source.data["预算"]["年初预算"] == Decimal("643.450")
    assert str(source.data["预算"]["年初预算"]) == "643.450"
    loc = source.positions[("预算", "调整数")]
    assert (loc.line, loc.col) == (3, 8)


def test_duplicate_key_is_reported_not_overwritten():
    source = load_text("a: 1\na: 2\n")
    assert source.data == {"a": 1}
    (diag,) = source.load_diagnostics
    assert diag.code == "PD004" and diag.location.line == 2


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    with pytest.raises(SourceSyntaxError) as exc:
        load_text("\n".join(lines) + "\n")
    assert exc.value.code == "PD003"


def test_gbk_file_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_bytes("部门:\n  名称: 临湘市总工会\n".encode("gbk"))
    with pytest.raises(SourceSyntaxError) as exc:
        load_path(path)
    assert exc.value.code == "PD002" and "UTF-8" in exc.value.message


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_bytes("\ufeff年度: 2022\n".encode("utf-8"))
    assert load_path(path).data == {"年度": 2022}


def test_tab_indentation_is_located(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text("部门:\n\t名称: x\n", encoding="utf-8")
    with pytest.raises(SourceSyntaxError) as exc:
        load_path(path)
    assert exc.value.location.line == 2


def test_control_characters_are_stripped_with_a_warning():
    source = load_text('a: "甲\\x0b乙"\n')
    assert source.data["a"] == "甲乙"
    assert source.load_diagnostics[0].code == "PD005"


@pytest.mark.parametrize("text", ["a: [1, 2\n", "a: 'x\n", "a:\n  b: 1\n c: 2\n"])
def test_syntax_errors_carry_a_location(text):
    with pytest.raises(SourceSyntaxError) as exc:
        load_text(text)
    assert exc.value.code == "PD001" and exc.value.location is not None
