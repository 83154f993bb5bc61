"""The shape of a source file: every key, its kind, and a Chinese description.

This one declaration drives the model, the schema rules, the render context,
the ``perfdoc new`` scaffold, ``perfdoc next-year`` and the schema reference in
``docs/``; :func:`walk` is the one walk over it. Keys marked ``derived`` are
computed by perfdoc; a user may still state them (when transcribing an old
document) and the arithmetic rules then check the stated value against the
computed one. ``next_year`` says what next year's file does with a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

KEEP, CLEAR, EMPTY = "keep", "clear", "empty"  # Field.next_year
FROM_THIS_FILE = "from-this-file"  # Field.next_year: removed, as next year's file reads it from this one


@dataclass(frozen=True)
class Field:
    kind: str  # map, list, text, markdown, int, amount, percent, score, date, phone, year, bool, choice
    doc: str
    required: bool = False
    fields: dict = field(default_factory=dict)  # kind == "map": fixed keys
    item: "Field | None" = None  # kind == "list": each item; open map: each value
    open: bool = False  # kind == "map" with keys the user chooses (明细)
    derived: bool = False
    signed: bool = False  # amounts that may be negative (调整数)
    choices: tuple = ()
    # The format's names replace ``choices``: a key of 指标名称 (一级, 二级) in format.yaml, whose names are the allowed values.
    format_choices: str = ""
    example: object = None
    # Next year's file: KEEP the value, CLEAR it (a figure of this year only: removed, or
    # prefilled from this year's closing figures) or EMPTY it (a result: the key stays, blank);
    # FROM_THIS_FILE: removed with nothing to fill, as perfdoc reads it from this file (上年决算).
    # Unset: amounts and derived figures are cleared, everything else kept.
    next_year: str = ""
    # Where next year's value comes from: this year's figure at this path, read within the same
    # list item (from the top outside a list). This year's closing balance is next year's opening.
    next_year_from: tuple = ()

    def child(self, key) -> "Field | None":
        """The field of ``key`` in this mapping: any key of an open one, the declared ones of another."""
        return self.item if self.open else self.fields.get(key)

    @cached_property
    def computed(self) -> bool:
        """A derived figure, or a block that holds nothing but derived figures (收支合计)."""
        if self.derived:
            return True
        if self.kind == "map" and not self.open:
            return bool(self.fields) and all(child.computed for child in self.fields.values())
        return self.kind in ("map", "list") and self.item is not None and self.item.computed

    @property
    def next_year_action(self) -> str:
        """:data:`KEEP`, :data:`CLEAR` or :data:`EMPTY` (see ``next_year``)."""
        if self.next_year:
            return self.next_year
        return CLEAR if self.derived or self.kind == "amount" else KEEP


def _map(doc, required=False, **fields):
    return Field("map", doc, required=required, fields=fields)


def _open(doc, item):
    return Field("map", doc, item=item, open=True)


def _list(doc, item, required=False):
    return Field("list", doc, required=required, item=item)


def _text(doc, required=False, example=None):
    return Field("text", doc, required=required, example=example)


def _md(doc):
    return Field("markdown", doc)


def _int(doc, required=False, example=None):
    return Field("int", doc, required=required, example=example)


def _amount(doc, required=False, signed=False, example=None):
    return Field("amount", doc, required=required, signed=signed, example=example)


def _derived_amount(doc):
    return Field("amount", doc, derived=True, signed=True)


def _derived_percent(doc):
    return Field("percent", doc, derived=True)


def _this_year_only(field):
    """A value that describes only the year it is written for: next year's file drops it."""
    return replace(field, next_year=CLEAR)


def _from_last_year(field):
    """Last year's figure: next year's file drops it, and perfdoc reads it from this year's file."""
    return replace(field, next_year=FROM_THIS_FILE)


def _opening(field, closing: tuple):
    """An opening figure: next year's file starts it from this year's ``closing`` figure (see ``next_year_from``)."""
    return replace(field, next_year_from=closing)


def _result(field):
    """The year's result: next year's file keeps the key, blank, so the place to write it stays in view."""
    return replace(field, next_year=EMPTY)


# The national indicator levels (财预〔2020〕10号). A format's 指标名称 names its own (成本 as a 一级 of the
# 2021 forms, Hunan's 投入/过程): these are the names of a source whose format names none.
LEVEL1 = ("产出", "效益", "满意度")
# 一级指标 of the older Hunan 部门整体支出绩效评价指标表 (2016–2019).
LEVEL1_HUNAN = ("投入", "过程", "产出", "效果")
LEVEL2 = ("数量", "质量", "时效", "成本", "经济效益", "社会效益", "生态效益", "可持续影响", "服务对象满意度")


def _level(level: str, national: tuple) -> Field:
    return Field("choice", f"{level}指标：格式的“指标名称.{level}”中的名称（全国表式：{'／'.join(national)}）",
                 required=True, choices=national, format_choices=level)

INCOME_ITEMS = ("上年结转", "公共财政拨款", "政府基金拨款", "纳入专户管理的非税收入拨款", "其他收入")
THREE_PUBLIC_ITEMS = ("公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费")
ASSET_ITEMS = ("在用固定资产", "出租固定资产", "其他")
# The amounts of a project that 项目合计 adds up over all projects.
PROJECT_SUMS = ("年初预算", "调整数", "上年结余", "调整后预算", "收入合计", "实际支出", "年终结余")

# Narrative sections, in the order a report usually has them.
NARRATIVE_SECTIONS = {
    "总体运行情况": "年度总体工作和重点工作任务，部门总体运行情况及取得的成绩",
    "人员情况": "人员配置，当年人员变动情况及原因",
    "机构设置": "机构设置情况（不填则按“内设机构”“下属单位”生成）",
    "支出概况": "部门整体支出规模、使用方向和主要内容、涉及范围",
    "绩效管理情况": "部门整体绩效管理情况、整体绩效目标",
    "基本支出情况": "基本支出的构成说明（人员经费、日常公用经费）",
    "专项资金管理情况": "专项资金管理情况分析",
    "专项组织情况": "专项组织情况分析",
    "专项管理情况": "专项管理情况分析",
    "自评结论": "自评结论综述",
    "目标完成情况": "各项工作任务绩效目标完成情况分析／绩效目标设定及指标完成情况",
    "重点项目绩效情况": "重点项目（重点任务项目支出）绩效情况",
    "部门整体绩效": "部门整体绩效（主要工作成效）",
    "评价工作开展情况": "绩效评价工作开展情况",
    "项目组织情况": "项目组织情况分析",
    "项目管理情况": "项目管理情况分析",
    "经济性分析": "项目的经济性分析",
    "效率性分析": "项目的效率性分析",
    "效益性分析": "项目的效益性分析",
    "可持续性分析": "项目的可持续性分析",
    "综合评价结论": "综合评价情况及评价结论",
    "存在问题": "存在的主要问题",
    "改进措施": "改进措施或下一步计划",
    "经验做法": "主要经验及做法",
    "有关建议": "有关建议",
    "其他需要说明的问题": "其他需要说明的问题",
}

_PERSON = _map(
    "一名评价人员",
    姓名=_text("姓名", required=True, example="李芷怡"),
    职务=_text("职务/职称", example="财务资产管理部副部长"),
    单位=_text("所在单位", example="临湘市总工会"),
)

_INDICATOR = _map(
    "一项三级绩效指标",
    一级=_level("一级", LEVEL1),
    二级=_level("二级", LEVEL2),
    名称=_text("三级指标名称（表中显示的文字）", required=True, example="建立工会组织10家"),
    目标值=_text("目标值，如 ≥95%、=100%、≤10次、10家、≥1000人次", example="≥10家"),
    实际值=_result(_text("实际完成值", example="12家")),
    权重=Field("score", "权重（分值）"),
    得分=_this_year_only(Field("score", "自评得分")),
    已完成=_this_year_only(Field("bool", "是否标记为已完成（标记后实际值须达到目标值）")),
)

_KEY_INDICATOR = _map(
    "一项关键指标",
    名称=_text("关键指标名称", required=True, example="困难职工在册人数"),
    目标值=_text("目标值", example="≥50户"),
    完成情况=_result(_text("指标完成情况", example="56户")),
)

_INCOME = {item: _amount(item, example=0) for item in INCOME_ITEMS}
_INCOME["上年结转"] = _opening(_INCOME["上年结转"], ("支出", "累计结余"))  # last year's closing balance

_INSTITUTION = _map(
    "一个机构（机关或所属单位）的收支",
    名称=_text("机构名称", required=True, example="机关"),
    收入=_map(
        "年度收入情况（万元）",
        **_INCOME,
        收入合计=_derived_amount("收入合计 = 各项收入之和"),
    ),
    支出=_map(
        "年度支出和结余情况（万元）",
        人员支出=_amount("人员支出（填写明细时由明细合计）", example=229.64),
        人员支出明细=_open("人员支出明细：项目名 → 金额", _amount("金额")),
        公用支出=_amount("公用支出（填写明细时由明细合计）", example=24.10),
        公用支出明细=_open("公用支出明细：项目名 → 金额", _amount("金额")),
        项目支出=_amount("项目支出", example=112.36),
        基本支出=_derived_amount("基本支出 = 人员支出 + 公用支出"),
        支出合计=_derived_amount("支出合计 = 基本支出 + 项目支出"),
        当年结余=_derived_amount("当年结余 = 收入合计 − 上年结转 − 支出合计"),
        累计结余=_derived_amount("累计结余 = 收入合计 − 支出合计"),
        人员经费占比=_derived_percent("人员支出占支出合计的比例"),
        公用经费占比=_derived_percent("公用支出占支出合计的比例"),
    ),
    三公经费=_map(
        "“三公”经费（万元）",
        **{item: _amount(item, example=0) for item in THREE_PUBLIC_ITEMS},
        合计=_derived_amount("三公经费合计"),
    ),
    固定资产=_map(
        "固定资产（万元）",
        **{item: _amount(item, example=0) for item in ASSET_ITEMS},
        合计=_derived_amount("固定资产合计"),
    ),
)

_PROJECT = _map(
    "一个项目（专项资金）",
    名称=_text("项目名称", required=True, example="死亡抚恤项目"),
    资金名称=_text("在专项资金构成中使用的名称（不填则用项目名称）"),
    年初预算=_amount("年初预算", example=0),
    调整数=_amount("年中调整数（调减为负数）", signed=True, example=16.36),
    上年结余=_opening(_amount("上年结余（结转）"), ("年终结余",)),
    实际支出=_amount("实际支出", example=16.36),
    用途=_text("资金主要用途", example="死亡抚恤"),
    概述=_md("项目概况（Markdown）"),
    参与评价=Field("bool", "是否参与本次绩效评价"),
    调整后预算=_derived_amount("调整后预算 = 年初预算 + 调整数"),
    收入合计=_derived_amount("全年收入合计 = 调整后预算 + 上年结余"),
    年终结余=_derived_amount("年终结余 = 收入合计 − 实际支出"),
    执行率=_derived_percent("预算执行率 = 实际支出 / 调整后预算"),
)

# 项目支出绩效自评表 (财预〔2020〕10号): one entry per project, funds by source in three columns.
# Every fund source a project form may have; a format lists the rows it prints and sums (项目资金来源).
FUND_SOURCES = ("当年财政拨款", "上年结转资金", "财政资金", "财政专户管理资金", "单位资金", "其他资金")
NATIONAL_FUND_SOURCES = ("当年财政拨款", "上年结转资金", "其他资金")
FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数")
# Written forms of the comparison in 指标性质 (the form prints =, ≥, ≤).
PROJECT_OPERATORS = ("=", "≥", "≤", ">=", "<=", "＝", "等于", "大于等于", "不低于", "不少于", "达到", "小于等于", "不高于", "不超过", "不多于")


def _fund_row(doc):
    return _map(doc, **{column: _amount(column, example=0) for column in FUND_COLUMNS})


_PROJECT_INDICATOR = _map(
    "项目的一项三级绩效指标",
    一级=_level("一级", LEVEL1),
    二级=_level("二级", LEVEL2),
    三级=_text("三级指标名称", required=True, example="培训人次"),
    指标性质=_text("比较方式：=、≥、≤（也可写 等于、不低于、不超过 等）；定性指标不写", example="≥"),
    指标值=_text("年度指标值：数字（定量）或文字（定性）", example=1000),
    度量单位=_text("度量单位，如 人次、%、万元", example="人次"),
    完成值=_result(_text("实际完成值，与指标值同一单位", example=1050)),
    分值=Field("score", "分值（权重）", required=True),
    得分=_this_year_only(Field("score", "得分（不填则按完成规则计算；填写时与计算结果核对）")),
    完成程度=_this_year_only(_text("定性指标的完成程度：格式“定性分档”的一档，如 达成、部分达成、未达成；不写时按完成值判断")),
    偏差原因=_this_year_only(_text("偏差原因分析及改进措施")),
)

_PROJECT_SELF_EVALUATION = _map(
    "一个项目的支出绩效自评表",
    名称=_text("项目名称", required=True, example="职工技能培训项目"),
    编码=_text("项目编码", example="51000022T000000123456"),
    主管部门=_text("主管部门", example="某市总工会"),
    实施单位=_text("实施单位", example="某市总工会"),
    负责人=_text("项目负责人", example="张三"),
    联系电话=Field("phone", "联系电话"),
    财务负责人=_text("财务负责人"),
    资金=_map(
        "项目资金（万元），按来源（格式的“项目资金来源”，全国表式为当年财政拨款、上年结转资金、其他资金）；每行三列：年初预算数、全年预算数（调整后）、全年执行数",
        **{source: _fund_row(source) for source in FUND_SOURCES},
        年度资金总额=_map("年度资金总额 = 各来源之和（自动计算；填写时核对）",
                     **{column: _derived_amount(f"{column}合计") for column in FUND_COLUMNS}),
    ),
    执行率=_derived_percent("预算执行率 = 全年执行数 / 全年预算数"),
    执行率得分=Field("score", "预算执行率得分 = 分值 × 执行率，不超过分值（自动计算；填写时核对）", derived=True),
    执行说明=_this_year_only(_text("预算执行率偏低或年中预算调整（追加、调减）的原因")),
    实施内容=_text("项目实施内容及过程概述"),
    年度总体目标=_map(
        "年度总体目标",
        预期目标=_text("预期目标", required=True),
        实际完成情况=_result(_text("实际完成情况")),
    ),
    指标=_list("三级绩效指标", _PROJECT_INDICATOR),
    总分=_this_year_only(Field("score", "总分 = 执行率得分 + 各指标得分（自动计算；填写时核对）", derived=True)),
    等次=_this_year_only(_text("评价等次（按格式的等次自动确定；填写时核对）")),
    评价结论=_this_year_only(_text("评价结论")),
    存在问题=_this_year_only(_text("存在问题")),
    改进措施=_this_year_only(_text("改进措施")),
)

# 部门整体支出绩效评价基础数据表 (Hunan, 附件1): 经费控制情况 in three columns of one shape.
BASIC_DATA_COLUMNS = ("上年决算", "本年预算", "本年决算")


def _spending_column(doc, from_model=()):
    """One column of 经费控制情况; ``from_model`` names the figures perfdoc takes from elsewhere in the file."""
    def amount(key, text):
        return _derived_amount(text) if key in from_model else _amount(text)

    return _map(
        doc,
        支出总额=_derived_amount("支出总额 = 基本支出 + 项目支出"),
        基本支出=amount("基本支出", "基本支出"),
        公用经费=amount("公用经费", "其中：公用经费"),
        项目支出=_derived_amount("项目支出 = 各专项之和"),
        专项=_open("各专项：名称 → 金额", amount("专项", "金额")),
        三公经费=_map(
            "三公经费（万元）",
            **{item: amount("三公经费", item) for item in THREE_PUBLIC_ITEMS},
            公务用车费=_derived_amount("公务用车购置及运行维护费 = 公务用车购置费 + 公务用车运维费"),
            合计=_derived_amount("三公经费 = 公务用车购置及运行维护费 + 因公出国费 + 公务接待费"),
        ),
        政府采购金额=_amount("政府采购金额"),
    )


_BASIC_DATA = _map(
    "部门整体支出绩效评价基础数据表（湖南表式附件1；湖南部门格式在数据文件写了本项时生成此表）：经费控制情况（万元）及说明；"
    "编制数、实际在职人数取自“部门”，填表人、电话、日期取自“报告”",
    上年决算=_from_last_year(_spending_column(
        "上年决算数：上年数据文件（如 2022.yaml 旁的 2021.yaml）存在时取自它的本年决算数，填写时与之核对；没有上年文件时填写")),
    本年预算=_spending_column("本年预算数（各专项取项目的年初预算）", from_model=("专项",)),
    本年决算=_spending_column("本年决算数：基本支出、公用经费、三公经费取自收支情况，各专项取项目的实际支出；政府采购金额须填写",
                           from_model=("基本支出", "公用经费", "专项", "三公经费")),
    上年三公经费预算=_from_last_year(_amount("上年三公经费预算数（三公经费变动率的基数）：上年数据文件存在时取自它的本年预算，填写时与之核对")),
    在职人员控制率=_derived_percent("在职人员控制率 = 实有人数 / 人员编制（按格式的公式）"),
    三公经费变动率=_derived_percent("三公经费变动率 = (本年三公经费预算 − 上年三公经费预算) / 上年三公经费预算（按格式的公式，用预算数，不用决算数）"),
    楼堂馆所控制情况=_result(_text("楼堂馆所控制情况", example="本年度无新建、改扩建楼堂馆所")),
    厉行节约保障措施=_result(_text("厉行节约保障措施", example="严格执行公务接待和差旅费管理办法")),
)

_HUNAN_INDICATOR = _map(
    "部门整体支出绩效评价指标表的一项指标",
    一级=Field("choice", "一级指标：投入／过程／产出／效果", required=True, choices=LEVEL1_HUNAN),
    二级=_text("二级指标，如 预算配置、预算执行、预算管理、资产管理、职责履行、履职效益", required=True, example="预算配置"),
    三级=_text("三级指标；与格式“评分.指标计分”中同名的按该规则计分", required=True, example="在职人员控制率"),
    分值=Field("score", "分值（按规则计分的指标须与规则的分值相同）", required=True, example=8),
    评分标准=_text("评分标准（不写时，按规则计分的指标印出格式中的规则）"),
    得分=_this_year_only(Field("score", "得分（按规则计分的指标可不填，由 perfdoc 计算；填写时核对）")),
    说明=_this_year_only(_text("评价说明或扣分原因")),
)

_TASK = _map(
    "一项主要任务",
    名称=_text("任务名称", example="任务1"),
    预期目标=_text("预期目标", required=True),
    完成情况=_result(_text("目标完成情况")),
    资金=_amount("任务涉及资金（填写明细时由明细合计）"),
    资金明细=_open("任务资金明细：用途 → 金额", _amount("金额")),
    关键指标=_list("关键指标", _KEY_INDICATOR),
)

SOURCE_SCHEMA = _map(
    "一个部门一个年度的绩效自评数据",
    required=True,
    格式=_text("文档格式：templates/ 下的文件夹名，如 guangzhou、hunan-linxiang、hunan-yiyang", required=True, example="guangzhou"),
    年度=Field("year", "被评价年度", required=True, example=2022),
    金额单位=Field("choice", "不带单位的金额所用单位，默认万元", choices=("万元", "元")),
    地区=_text("本单位所在地区，如 平江县：格式写明“地区由数据指定”时使用，出现在封面和标题中", example="平江县"),
    财政部门=_text("制表的财政部门，如 平江县财政局（不写时为“<地区>财政局”）", example="平江县财政局"),
    部门=_map(
        "部门（单位）基本情况",
        required=True,
        名称=_text("部门（单位）名称", required=True, example="广州市天河区总工会"),
        # Units report through their 主管部门 (the seed form's note); perfdoc summary subtotals by it.
        主管部门=_text("预算主管部门（所属单位经它汇总报送；perfdoc summary 按年度和它小计，未填的部门合为一组）"),
        联系人=_text("联系人", example="李芷怡"),
        联系电话=Field("phone", "联系电话", example="18711238585"),
        负责人=_text("单位负责人（基础数据表签字处）"),
        人员编制=_int("人员编制数", example=24),
        实有人数=_int("实有人数", example=24),
        上年实有人数=_opening(_this_year_only(_int("上年末实有人数（用于核对人员变动）")), ("部门", "实有人数")),
        离退休人数=_int("离退休人数", example=13),
        职能职责=_list("职能职责，每条一项", _text("一条职责")),
        内设机构=_list("内设机构，每个一项", _text("机构名称")),
        下属单位=_list("所属事业单位，每个一项", _text("单位名称")),
        人员变动=_this_year_only(_map(
            "当年人员变动（人数）",
            调入=_int("调入人数"),
            录用=_int("新录用人数"),
            调出=_int("调出人数"),
            退休=_int("退休人数"),
            辞职=_int("辞职人数"),
            其他减少=_int("其他减少人数"),
        )),
    ),
    报告=_map(
        "报告信息",
        评价方式=_text("评价方式", example="部门（单位）绩效自评"),
        评价机构=_text("评价机构", example="部门（单位）评价组"),
        报告日期=_this_year_only(Field("date", "报告日期，写作 2023-03-27", example="2023-03-27")),
        填报人=_text("填报人", example="李芷怡"),
        填报人电话=Field("phone", "填报人联系电话", example="3723153"),
        评价组组长=_text("评价组组长"),
    ),
    预算=_map(
        "部门资金情况（万元）",
        年初预算=_amount("部门年初预算收入", example=643.45),
        调整数=_amount("年度预算调整数（调减为负数）", signed=True, example=12.10),
        年初结余=_amount("年初结余（上年结转结余），湖南表式的预算完成率计入分母"),
        实际支出=_open("实际支出，按资金来源：一般公共预算、政府性基金……", _amount("金额")),
        调整后预算=_derived_amount("部门调整预算收入 = 年初预算 + 调整数"),
        实际支出合计=_derived_amount("实际支出数 = 各资金来源之和"),
        预算完成率=_derived_percent("预算完成率（执行率），按格式的公式，默认 = 实际支出 / 调整后预算"),
        预算调整率=_derived_percent("预算调整率 = 调整数 / 年初预算"),
    ),
    绩效自评=_map(
        "开展绩效自评的资金范围",
        一般公共预算=_map(
            "一般公共预算支出的自评",
            项目数=_int("自评项目个数"),
            资金=_amount("自评涉及资金"),
            占比=_derived_percent("自评资金占一般公共预算支出的比例"),
        ),
        政府性基金=_map(
            "政府性基金预算支出的自评",
            项目数=_int("自评项目个数"),
            资金=_amount("自评涉及资金"),
            占比=_derived_percent("自评资金占政府性基金预算支出的比例"),
        ),
    ),
    机构收支=_list("收支情况，每个机构一项；多个机构时自动生成合计行", _INSTITUTION),
    收支合计=_map(
        "各机构收支合计（自动计算；照抄旧文档时可填写，将与计算结果核对）",
        **{
            group: _map(
                spec.doc,
                **{key: _derived_amount(f"合计{key}") for key, child in spec.fields.items() if child.kind == "amount"},
                **{key: _open(f"合计{key}", _derived_amount("金额")) for key, child in spec.fields.items() if child.open},
                **{key: _derived_percent(child.doc) for key, child in spec.fields.items() if child.kind == "percent"},
            )
            for group, spec in _INSTITUTION.fields.items()
            if spec.kind == "map"
        },
    ),
    项目=_list("项目（专项资金），每个一项", _PROJECT),
    项目合计=_map(
        "各项目合计（自动计算；照抄旧文档时可填写，将与计算结果核对）",
        **{key: _derived_amount(f"各项目{key}之和") for key in (*PROJECT_SUMS, "评价项目资金")},
        执行率=_derived_percent("项目执行率 = 实际支出合计 / 调整后预算合计"),
    ),
    基础数据=_BASIC_DATA,
    指标表=_list("部门整体支出绩效评价指标表（湖南 2016—2019 年表式）：每项指标一项", _HUNAN_INDICATOR),
    项目自评=_list("项目支出绩效自评表：本部门本年度的每个项目一项", _PROJECT_SELF_EVALUATION),
    年度目标=_list(
        "年度目标",
        _map("一项年度目标", 目标=_text("预期目标", required=True), 完成情况=_result(_text("目标完成情况"))),
    ),
    任务=_list("主要任务", _TASK),
    任务资金合计=_derived_amount("各任务涉及资金之和"),
    指标=_list("三级绩效指标", _INDICATOR),
    评分=_map(
        "评分与等次",
        综合得分=_this_year_only(Field("score", "绩效自评综合得分（各指标有得分时自动计算）")),
        评价等次=_this_year_only(_text("评价等次（按格式的等次划分自动确定）")),
    ),
    评价人员=_list("评价人员", _PERSON),
    叙述=Field(
        "map",
        "叙述部分（Markdown），可用 {{ 预算.实际支出合计 }} 这样的写法引用数字",
        fields={key: _md(doc) for key, doc in NARRATIVE_SECTIONS.items()},
    ),
)


def field_at(path: tuple) -> Field | None:
    """The schema field that describes ``path`` (list indices skip to the item)."""
    current = SOURCE_SCHEMA
    for step in path:
        if current is None:
            return None
        if current.kind == "list":
            current = current.item
        elif current.kind == "map":
            current = current.child(step)
        else:
            return None
    return current


class _Missing:
    """The value of a declared key the data does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
EACH_ITEM = -1  # the path step of "every item of this list", in a walk of the declaration alone
EACH_KEY = "<名称>"  # the path step of "every key of this open mapping", likewise


def walk(data, schema: Field = SOURCE_SCHEMA, path: tuple = (), *, missing: bool = False, unknown: bool = False,
         into=None):
    """The one walk over the schema: ``(path, field, value)`` for every value of ``data``, in the file's order.

    Each value comes before what it holds. A value whose shape does not match its
    field (a list where a mapping belongs) comes once and is not gone into.

    ``unknown``: also each key that a mapping does not declare, with ``field`` None
    (not gone into). ``missing``: also each declared key a mapping lacks, with the
    value :data:`MISSING`.

    ``into(path, field, value)``: whether to go into a value at all. By default
    every mapping and list the data has is gone into, and no MISSING value.
    Gone into, a MISSING mapping yields its declared keys (an open one
    :data:`EACH_KEY`) and a MISSING list :data:`EACH_ITEM`, each MISSING.

    ``walk(MISSING)`` is the declaration alone: every declared key, down to every
    item of a list (path step :data:`EACH_ITEM`) and every key of an open mapping
    (:data:`EACH_KEY`), each with the value :data:`MISSING`.
    """
    if into is None and data is MISSING:
        into = _everything
    stack = [(path, schema, data)]  # a stack, not recursion: nested generators cost per level
    while stack:
        path, schema, data = stack.pop()
        yield path, schema, data
        if schema is None or (data is MISSING if into is None else not into(path, schema, data)):
            continue
        children = []
        if data is MISSING:
            if schema.kind == "map" and not schema.open:
                children = [(path + (key,), child, MISSING) for key, child in schema.fields.items()]
            elif schema.item is not None and schema.kind in ("map", "list"):
                children = [(path + (EACH_KEY if schema.kind == "map" else EACH_ITEM,), schema.item, MISSING)]
        elif schema.kind == "map" and isinstance(data, dict):
            for key, value in data.items():
                child = schema.child(key)
                if child is not None or unknown:
                    children.append((path + (key,), child, value))
            if missing and not schema.open:
                children.extend((path + (key,), child, MISSING) for key, child in schema.fields.items() if key not in data)
        elif schema.kind == "list" and isinstance(data, list) and schema.item is not None:
            children = [(path + (index,), schema.item, item) for index, item in enumerate(data)]
        stack.extend(reversed(children))


def _everything(path, field, value) -> bool:
    return True


def fold(combine, data=MISSING, schema: Field = SOURCE_SCHEMA, path: tuple = (), **options):
    """:func:`walk` bottom up: ``combine(path, field, value, children)`` for each value, after the values it holds.

    ``children`` is the ``[(step, result)]`` of those values, in the walk's order;
    the result of the first value (``path``) is returned. ``options`` are walk's.
    """
    held: dict = {}
    result = None
    for here, declared, value in reversed(list(walk(data, schema, path, **options))):
        children = held.pop(here, [])
        children.reverse()
        result = combine(here, declared, value, children)
        if here != path:
            held.setdefault(here[:-1], []).append((here[-1], result))
    return result


def iter_fields(data, schema: Field = SOURCE_SCHEMA, path: tuple = ()):
    """``(path, field, value)`` for every value present in ``data`` that the schema declares (see :func:`walk`)."""
    return walk(data, schema, path)


def dotted(path: tuple, first_index: int = 1) -> str:
    """``('机构收支', 0, '收入')`` → ``机构收支[1].收入`` (1-based, as people count)."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step + first_index}]"
        else:
            out += ("." if out else "") + str(step)
    return out


def reference(path: tuple) -> str:
    """The narrative reference for ``path``: ``机构收支[1].收入.收入合计`` (1-based, as everywhere)."""
    return dotted(path)


_ABSENT = object()


def at_path(tree, path: tuple, default=None):
    """The value at ``path`` (keys and list indices) in nested dicts and lists, or ``default`` when it is not there."""
    node = tree
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return default
    return node


def has_path(tree, path: tuple) -> bool:
    """Whether ``path`` is in ``tree`` at all, whatever its value (None included)."""
    return at_path(tree, path, _ABSENT) is not _ABSENT
