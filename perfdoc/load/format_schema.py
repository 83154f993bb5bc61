"""The shape of ``templates/<format>/format.yaml``: every key, its kind and a Chinese description.

This one declaration drives the check of each ``format.yaml`` (unknown keys
with a did-you-mean, missing keys, wrong kinds; codes PD801–PD804) and the
reference ``docs/formats.md``. Checks that need the whole, merged format
(bands, weights, labels, templates, formulas) live in :mod:`perfdoc.load.formats`.
"""

from __future__ import annotations

from decimal import Decimal

from .schema import FUND_SOURCES, LEVEL1, LEVEL2, Field

# Derived rates and what each formula may read. The compute stage evaluates the
# formula once per scope (each institution, each project…); the names are the
# figures of that scope.
RATE_SCOPES = {
    "预算完成率": ("预算", ("年初预算", "调整数", "调整后预算", "实际支出合计", "年初结余")),
    "预算调整率": ("预算", ("年初预算", "调整数", "调整后预算", "实际支出合计", "年初结余")),
    "人员经费占比": ("每个机构的支出及收支合计", ("人员支出", "公用支出", "基本支出", "项目支出", "支出合计")),
    "公用经费占比": ("每个机构的支出及收支合计", ("人员支出", "公用支出", "基本支出", "项目支出", "支出合计")),
    "项目执行率": ("每个项目及项目合计", ("年初预算", "调整数", "上年结余", "调整后预算", "收入合计", "实际支出")),
    "自评资金占比": ("绩效自评的每类资金", ("资金", "实际支出")),
    "项目资金执行率": ("项目支出自评表每个项目的年度资金总额", ("年初预算数", "全年预算数", "全年执行数")),
    "在职人员控制率": ("基础数据（人数取自部门）", ("实有人数", "人员编制")),
    "三公经费变动率": ("基础数据（三公经费预算数）", ("本年三公经费预算", "上年三公经费预算")),
}
# Rates a scoring rule may score (one value per source), and where each is.
# A None step stands for each project of 项目自评: that rate is scored once per project.
SCORABLE_RATES = {"预算完成率": ("预算", "预算完成率"), "预算调整率": ("预算", "预算调整率"),
                  "项目资金执行率": ("项目自评", None, "执行率"),
                  "在职人员控制率": ("基础数据", "在职人员控制率"), "三公经费变动率": ("基础数据", "三公经费变动率")}
# Template-context lists a document may be split by, one file per item (named by the item's 名称).
SPLITTABLE_LISTS = ("项目自评表",)
SCORING_KINDS = {
    "线性": "得分 = 分值 × 比率（不超过分值）",
    "分档": "比率不超过某档上限即得该档分数（档按上限从小到大排列）",
    "扣分": "比率每超出（或低于）基准若干个百分点扣若干分，最低为 0",
}


def _text(doc, required=False):
    return Field("text", doc, required=required)


def _number(doc, required=False):
    return Field("number", doc, required=required)


def _map(doc, required=False, **fields):
    return Field("map", doc, required=required, fields=fields)


def _open(doc, item):
    return Field("map", doc, item=item, open=True)


def _list(doc, item, required=False):
    return Field("list", doc, required=required, item=item)


_RULE = _map(
    "一条计分规则",
    方式=Field("choice", "计分方式：" + "；".join(f"{k}（{v}）" for k, v in SCORING_KINDS.items()), required=True,
              choices=tuple(SCORING_KINDS)),
    分值=_number("该项满分", required=True),
    比率=Field("choice", f"被计分的比率：{'、'.join(SCORABLE_RATES)}（其公式见“公式”）", required=True, choices=tuple(SCORABLE_RATES)),
    分档=_list("方式为“分档”时的各档，上限从小到大", _map(
        "一档",
        不超过=_number("该档比率上限（百分数，含）", required=True),
        得分=_number("比率不超过上限时的得分", required=True),
    )),
    超出得分=_number("方式为“分档”时，比率超过最高一档上限的得分（默认 0）"),
    基准=_number("方式为“扣分”时的基准比率（百分数），如 100"),
    方向=Field("choice", "方式为“扣分”时，超出基准扣分还是低于基准扣分", choices=("超出", "低于")),
    每=_number("方式为“扣分”时，每多少个百分点扣一次（默认 1）"),
    扣=_number("方式为“扣分”时，每次扣多少分"),
)

FORMAT_SCHEMA = _map(
    "一个地区格式：templates/<格式>/format.yaml",
    名称=_text("格式名称（默认为文件夹名）"),
    基于=_text("继承的格式（templates/ 下的文件夹名）：未写的设置与模板都取自它"),
    说明=_text("格式说明，显示在 perfdoc formats 中"),
    仅供继承=Field("bool", "为 true 时此格式只作为其他格式的基础，数据文件不能直接使用"),
    地区=_text("地区名称，出现在封面与标题中，如 临湘市"),
    财政部门=_text("制表的财政部门，如 临湘市财政局（未写而有地区时为“<地区>财政局”）"),
    地区由数据指定=Field("bool", "为 true 时数据文件可以自行填写“地区”“财政部门”（如同一格式的各县）"),
    变动提示阈值=_number("与上年相比变动超过此百分比、且叙述未提及时给出提示（PD603）"),
    文档=_list("本格式生成的文档", _map(
        "一个文档",
        名称=_text("文档名称，也是输出文件名", required=True),
        模板=_text("模板文件（.docx），在本文件夹中找，找不到时依次在所继承的格式中找", required=True),
        标题=_text("文档标题"),
        必需章节=_list("该文档需要的叙述章节", _text("章节名")),
        文件名=_text("输出文件名（不含 .docx），可用 {部门}、{年度} 等"),
        模板写出=_open("数据文件没有写这一叙述章节时，模板按数据写出的内容：章节名 → 写出什么；写了就只用写的文字（不能同时列入必需章节）",
                       _text("模板写出的内容")),
        条件=_text("可选文档：数据文件写了这个顶层键（如 基础数据）时才生成此文档；不写则总是生成"),
        分项=Field("choice", "另外为此列表的每一项各生成一个文件，放在与文档同名的文件夹中、以该项的名称命名（如 项目自评表：每个项目一个自评表）",
                 choices=SPLITTABLE_LISTS),
    )),
    等次=_list("评价等次，从高到低；得分不低于“最低分”即为该等次", _map(
        "一个等次",
        名称=_text("等次名称，如 优秀", required=True),
        最低分=_number("该等次的最低分（含）", required=True),
    )),
    评分=_map(
        "评分设置",
        总分=_number("满分，通常为 100"),
        指标外分项=_open("不在三级指标中、单独计分的项目（如预算执行率 10 分）：名称 → 计分规则；其分值计入权重合计", _RULE),
        指标计分=_open("按规则计分的指标：指标名称（三级指标，或指标表的三级）→ 计分规则；指标的得分须与规则算出的一致，指标表中的分值须与规则的分值相同（PD306）", _RULE),
        完成规则=_map(
            "定量指标未达成时的得分（财预〔2020〕10号）",
            正向=_text("正向指标（≥）未达成时的得分比例公式，可用 完成值、指标值"),
            反向=_text("反向指标（≤）未达成时的得分比例公式，可用 完成值、指标值"),
        ),
        超额提示=_number("定量指标完成值超过指标值的这个百分比（反向指标：指标值是完成值的这个百分比）、又没有写偏差原因时，"
                     "提示指标值可能设得过低（PD406，只提示、不扣分）；不写则不提示"),
        定性分档=_list("定性指标按完成程度分档计分，从高到低：填写的得分须在其一档的分值比例之内（PD309）", _map(
            "一档",
            名称=_text("完成程度，如 达成、部分达成、未达成；指标的“完成程度”写其中之一", required=True),
            最高=_number("该档得分最多为分值的百分之几（含）", required=True),
            最低=_number("该档得分最少为分值的百分之几（含）", required=True),
            写法=_list("完成值写成这些词之一时即为该档（完成值与指标值相同时为最高一档）", _text("词")),
        )),
    ),
    公式=_open("派生比率的公式（结果为小数，显示为百分数）：" + "；".join(
        f"{name}（{scope}，可用：{'、'.join(names)}）" for name, (scope, names) in RATE_SCOPES.items()
    ), Field("formula", "公式")),
    必需数据=_list("文档需要的数据（数据文件的顶层键）", _text("键名")),
    项目资金来源=_list(f"项目支出自评表的资金来源行，按表中顺序，年度资金总额为其和（可用：{'、'.join(FUND_SOURCES)}）",
                   Field("choice", "资金来源", choices=FUND_SOURCES)),
    须说明原因=_map(
        "项目支出自评表中须在原因栏说明的情形（写在项目的“执行说明”）；须说明而未写时原因栏显示【待填写】标记、validate 给出提示（PD209），"
        "不须说明而未写时原因栏留空；不写此设置时原因栏照写的印出",
        执行率低于=_number("预算执行率（百分数，按文档显示的两位小数）低于此值时须说明原因，如四川表式的 90"),
        预算调整=Field("bool", "为 true 时，年中预算调整（年度资金总额的全年预算数与年初预算数不同）也须说明理由"),
    ),
    文字=_open("模板中印制的文字：名称 → 文字（如 报表编号、填表说明），模板中写作 {{ 格式.文字.报表编号 }}", _text("文字")),
    必需章节=_list("所有文档都需要的叙述章节", _text("章节名")),
    指标名称=_map(
        "三级指标的一级、二级名称：数据文件可用的名称及其在文档中的写法（继承的名称可增加；写 ~ 去掉一个继承的名称）",
        一级=_open(f"一级指标：名称 → 显示名称（全国表式：{'、'.join(LEVEL1)}；财预〔2021〕101号另有 成本）", _text("显示名称")),
        二级=_open(f"二级指标：名称 → 显示名称（全国表式：{'、'.join(LEVEL2)}）", _text("显示名称")),
    ),
    版式=_map(
        "版式设置",
        评价人员行数=Field("int", "评价人员表至少的行数（不足时补空行）"),
    ),
)

# Completion-rule names a formula may read.
COMPLETION_NAMES = ("完成值", "指标值")


def did_you_mean(word: str, choices) -> str:
    """``；是否应为“模板”？`` for a near miss, else ``""``."""
    import difflib  # here: only a mistake needs it

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.4)
    return f"；是否应为“{close[0]}”？" if close else ""


def is_number(value) -> bool:
    return isinstance(value, (Decimal, int)) and not isinstance(value, bool) and (
        not isinstance(value, Decimal) or value.is_finite()
    )


def shape_problems(data, schema: Field = FORMAT_SCHEMA, path: tuple = ()):
    """Yield ``(code, path, message, at_key)`` for every key or value ``data`` gets wrong against the schema."""
    stack = [(path, schema, data)]
    while stack:
        path, field, value = stack.pop()
        if value is None:
            if field.required:
                yield "PD803", path, f"“{path[-1]}”不能为空", False
            continue
        problem = _kind_problem(field, value)
        if problem:
            yield "PD804", path, problem, False
            continue
        if field.kind == "list":
            stack.extend((path + (i,), field.item, item) for i, item in reversed(list(enumerate(value))))
        elif field.kind == "map" and field.open:
            stack.extend((path + (k,), field.item, v) for k, v in reversed(list(value.items())))
        elif field.kind == "map":
            for key in value:
                if key not in field.fields:
                    where = f"“{'.'.join(map(str, path))}”中" if path else ""
                    yield "PD802", path + (key,), f"{where}没有“{key}”这个设置" + _suggestion(key, field), True
            for key, child in field.fields.items():
                if child.required and key not in value:
                    yield "PD803", path, f"缺少“{key}”（{child.doc}）", True
            stack.extend(
                (path + (k,), field.fields[k], v) for k, v in reversed(list(value.items())) if k in field.fields
            )


def _all_keys(field: Field, prefix: str = ""):
    """``(key, dotted place)`` of every fixed key in the schema below ``field``."""
    for key, child in field.fields.items():
        yield key, prefix + key
        inner = child.item if child.kind == "list" or child.open else child
        if inner is not None and inner.kind == "map" and not inner.open:
            yield from _all_keys(inner, prefix + key + ("[]." if child.kind == "list" else "."))


def _suggestion(word: str, field: Field) -> str:
    """A sibling key close to ``word``; or a key deeper down that is closer (“模板” belongs in 文档[])."""
    import difflib  # here: only a mistake needs it

    def score(candidate: str) -> float:  # a shared first character breaks ties: 模版 → 模板 before 版式
        return difflib.SequenceMatcher(None, str(word), candidate).ratio() + (0.01 if candidate[:1] == str(word)[:1] else 0)

    siblings = [key for key in field.fields if score(key) >= 0.4]
    best_sibling = max(siblings, key=score, default=None)
    deeper = [(key, place) for key, place in _all_keys(field) if "." in place and score(key) >= 0.5]
    best_deeper = max(deeper, key=lambda pair: score(pair[0]), default=None)
    if best_deeper and (best_sibling is None or score(best_deeper[0]) > score(best_sibling)):
        return f"；是否应为“{best_deeper[0]}”（写在“{best_deeper[1]}”处）？"
    return f"；是否应为“{best_sibling}”？" if best_sibling else ""


_KIND_WORDS = {"map": "键值映射", "list": "列表", "text": "文字", "number": "数字", "int": "整数", "bool": "true 或 false",
               "formula": "公式（文字）", "choice": "文字"}


def _kind_problem(field: Field, value) -> str | None:
    kind = field.kind
    ok = {
        "map": isinstance(value, dict),
        "list": isinstance(value, list),
        "text": isinstance(value, str) or (is_number(value) and not isinstance(value, bool)),
        "number": is_number(value),
        "int": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "bool": isinstance(value, bool),
        "formula": isinstance(value, str),
        "choice": isinstance(value, str) and value in field.choices,
    }[kind]
    if ok:
        return None
    if kind == "choice":
        return f"“{value}”不是可用的取值；可用：{'、'.join(field.choices)}" + did_you_mean(value, field.choices)
    return f"应为{_KIND_WORDS[kind]}，这里是“{value}”"
