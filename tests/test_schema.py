"""load/schema.walk, the one walk over the schema: what it yields, in which order."""

from __future__ import annotations

from perfdoc.load.schema import EACH_ITEM, EACH_KEY, MISSING, SOURCE_SCHEMA, field_at, walk

DATA = {
    "年度": 2022,
    "部门": {"名称": "甲", "外号": "乙", "人员变动": [1]},
    "预算": {"实际支出": {"一般公共预算": 1}},
    "指标": [{"名称": "丙"}, "丁"],
}


def test_values_in_the_file_order_each_before_what_it_holds():
    paths = [path for path, _, _ in walk(DATA)]
    assert paths == [
        (),
        ("年度",),
        ("部门",), ("部门", "名称"), ("部门", "人员变动"),  # 外号 is not declared; 人员变动 is a list, not gone into
        ("预算",), ("预算", "实际支出"), ("预算", "实际支出", "一般公共预算"),
        ("指标",), ("指标", 0), ("指标", 0, "名称"), ("指标", 1),
    ]
    assert all(field is field_at(path) for path, field, _ in walk(DATA))


def test_unknown_and_missing_keys_on_request():
    steps = list(walk(DATA, unknown=True, missing=True))
    unknown = [path for path, field, _ in steps if field is None]
    missing = {path for path, _, value in steps if value is MISSING}
    assert unknown == [("部门", "外号")]
    assert ("格式",) in missing and ("部门", "联系人") in missing and ("指标", 0, "一级") in missing
    assert ("部门", "人员变动", "调入") not in missing  # the wrong shape is not gone into
    assert not any(path[:1] == ("报告",) and len(path) > 1 for path in missing)  # nor a missing block


def test_the_declaration_alone_reaches_every_key():
    declared = {path: field for path, field, _ in walk(MISSING)}
    assert declared[("机构收支", EACH_ITEM, "支出", "人员支出明细", EACH_KEY)].kind == "amount"
    assert declared[("部门", "职能职责", EACH_ITEM)].kind == "text"
    assert all(field_at(path) is field for path, field in declared.items())
    assert len(declared) == 1 + sum(1 for _ in _declared(SOURCE_SCHEMA))


def _declared(field):
    """Every key below ``field``, counted by plain recursion (independently of walk)."""
    children = list(field.fields.values()) if field.kind == "map" and not field.open else [field.item] if field.item else []
    for child in children:
        yield child
        yield from _declared(child)
