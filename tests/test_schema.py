"""load/schema.walk, the one walk over the schema: what it yields, in which order."""

from __future__ import annotations

from decimal import Decimal

from perfdoc.load.schema import EACH_ITEM, EACH_KEY, MISSING, SOURCE_SCHEMA, field_at, fold, walk

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


def test_into_decides_where_the_walk_goes_and_opens_missing_mappings():
    def fixed_mappings(path, field, value):
        return field.kind == "map" and not field.open

    steps = {path: value for path, _, value in walk(DATA, missing=True, into=fixed_mappings)}
    assert steps[("报告", "填报人")] is MISSING  # a mapping the data lacks, gone into: its declared keys
    assert steps[("绩效自评", "一般公共预算", "资金")] is MISSING  # and theirs
    assert ("指标", 0) not in steps and ("机构收支", EACH_ITEM) not in steps  # lists: not gone into
    assert ("预算", "实际支出", "一般公共预算") not in steps  # nor an open mapping
    assert [path for path, _, _ in walk(DATA, into=lambda *_: False)] == [()]


def test_fold_combines_each_value_after_what_it_holds():
    def count(path, field, value, children):
        if children:
            assert [step for step, _ in children] == [p[-1] for p, _, _ in walk(value, field, path)
                                                     if len(p) == len(path) + 1]
        return 1 + sum(n for _, n in children)

    assert fold(count, DATA) == len(list(walk(DATA)))
    assert fold(count) == 1 + sum(1 for _ in _declared(SOURCE_SCHEMA))
    leaves = fold(lambda path, field, value, children: [x for _, c in children for x in c] or [path], DATA)
    assert leaves == [("年度",), ("部门", "名称"), ("部门", "人员变动"), ("预算", "实际支出", "一般公共预算"),
                      ("指标", 0, "名称"), ("指标", 1)]


def test_openings_name_a_figure_of_their_own_item():
    openings = {path: field.next_year_from for path, field, _ in walk(MISSING) if field.next_year_from}
    assert openings == {
        ("部门", "上年实有人数"): ("部门", "实有人数"),
        ("机构收支", EACH_ITEM, "收入", "上年结转"): ("支出", "累计结余"),
        ("项目", EACH_ITEM, "上年结余"): ("年终结余",),
    }
    for path, closing in openings.items():
        item = path[: path.index(EACH_ITEM) + 1] if EACH_ITEM in path else ()
        source = field_at(item + closing)
        assert source is not None and source.kind == field_at(path).kind


def test_next_year_starts_from_the_declared_closing_figures():
    from perfdoc.ops.nextyear import prefills
    from perfdoc.pipeline import check_text

    text = ("格式: hunan-linxiang\n年度: 2022\n部门: {名称: 甲, 实有人数: 7}\n"
            "机构收支:\n  - {名称: 机关, 收入: {公共财政拨款: 10}, 支出: {人员支出: 4, 公用支出: 1, 项目支出: 0}}\n"
            "项目:\n  - {名称: 乙, 年初预算: 3, 调整数: 0, 实际支出: 1}\n")
    assert prefills(check_text(text).analysis) == {
        ("部门", "上年实有人数"): 7,
        ("机构收支", 0, "收入", "上年结转"): Decimal("5.00"),
        ("项目", 0, "上年结余"): Decimal("2.00"),
    }


def test_the_render_context_has_every_declared_key_filled_by_the_walk():
    from perfdoc.pipeline import check_text
    from perfdoc.render.context import Missing, build_context

    context = build_context(check_text("格式: guangzhou\n年度: 2022\n部门: {名称: 甲}\n任务: [{预期目标: 乙}]\n").analysis)
    funds = context["绩效自评"]["一般公共预算"]["资金"]  # a block not written, two levels deep
    assert isinstance(funds, Missing) and funds.paths == (("绩效自评", "一般公共预算", "资金"),)
    assert isinstance(context["任务"][0]["完成情况"], Missing) and context["任务"][0]["关键指标"] == []
    assert context["预算"]["实际支出"] == {}  # an open mapping: the user's keys only
    assert set(context["待填写"]) >= {"指标", "部门.职能职责"} and "任务" not in context["待填写"]
    spending = SOURCE_SCHEMA.fields["机构收支"].item.fields["支出"].fields
    assert set(context["收支合计"]["支出"]) == set(spending)  # filled by the institution's declaration
