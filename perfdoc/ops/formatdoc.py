"""``docs/formats.md``: how to make, check and inherit a region format, generated from its schema."""

from __future__ import annotations

from ..compute import expr
from ..load.format_schema import FORMAT_SCHEMA, RATE_SCOPES, SCORING_KINDS
from ..load.schema import Field

FORMATS_FILE = "formats.md"

FORMAT_CODES = {
    "PD801": "format.yaml 无法读取（YAML 语法错误，或不是“键: 值”映射）",
    "PD802": "未知的设置（附“是否应为”）",
    "PD803": "缺少必需的设置；比率没有公式时为警告",
    "PD804": "设置的值类型不对（如 `最低分: 九十`）或不是可用的取值",
    "PD805": "等次或文档重复、等次未从高到低排列或互相重叠、最低一个等次不从 0 分起、一个章节既是必需章节又由模板写出",
    "PD806": "分值合计不对：指标外分项不小于总分",
    "PD807": "指标名称：显示名称为空（不用一个继承的名称时写 ~）；一级或二级一个名称也没有时为警告",
    "PD808": "引用的模板不存在（在本格式及所基于的格式中都找不到）或不是 .docx",
    "PD809": "“基于”的格式不存在、形成循环或层数过多",
    "PD810": "公式有误：写法、过长、过于复杂、访问属性、调用不允许的函数、用了不可用的数字",
    "PD811": "计分规则有误：分值不大于 0、分档未从小到大、缺少扣分所需的设置；须说明原因的执行率不在 0 到 100 之间",
}
TEMPLATE_CODES = {
    "PD901": "模板不是完好的 Word 文件（压缩包或 XML 损坏、另存为了 .doc）",
    "PD902": "标签写法有误：Jinja 语法、未闭合的标签、缺少 `{% endfor %}`、“段落”不在 `{{p …}}` 中、列表序号写成 `[0]`（从 1 开始编号）",
    "PD903": "（警告）Word 把一个标签拆成了格式不同的几段文字",
    "PD904": "标签中或标签两端有中文输入法打出的全角符号（`｛｛ ％ ｝`、全角括号、逗号）",
    "PD905": "渲染时没有的数据名称或字段（附“是否应为”）",
    "PD906": "（警告）模板用“段落”/“行内”生成文字，却缺少引擎需要的样式（`PDBody`、`PDHeading1`…）",
    "PD907": "用空白数据试渲染失败",
}

_KINDS = {"map": "映射", "list": "列表", "text": "文字", "number": "数字", "int": "整数", "bool": "true/false",
          "formula": "公式", "choice": "取值之一"}


def _rows(field: Field, prefix: str = ""):
    for key, child in field.fields.items():
        path = f"{prefix}{key}"
        kind = "映射（键自定）" if child.kind == "map" and child.open else _KINDS[child.kind]
        yield path, kind, child
        if child.kind == "map" and not child.open:
            yield from _rows(child, path + ".")
        elif child.kind == "list" and child.item is not None and child.item.kind == "map":
            yield from _rows(child.item, path + "[].")
        elif child.kind == "map" and child.open and child.item is not None and child.item.kind == "map":
            yield from _rows(child.item, path + ".<名称>.")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def formats_markdown(tree_rows=None) -> str:
    from ..load.formats import format_tree

    out = [
        "<!-- 本文件由 `perfdoc docs` 生成，请勿手工修改：改动 perfdoc/load/format_schema.py 或 templates/ 后重新运行 `perfdoc docs`。 -->",
        "",
        "# 地区格式（format.yaml）",
        "",
        "一个地区格式就是 `templates/` 下的一个文件夹：一个 `format.yaml` 和若干 `.docx` 模板。"
        "新建、检查、继承一个格式都不需要写 Python：",
        "",
        "1. `perfdoc new-format hunan-huarong --from hunan-department --region 华容县` 写出一个继承 "
        "`hunan-department` 的文件夹，只有一个带注释的 `format.yaml`；",
        "2. 需要不同的模板时，把 `.docx` 放进该文件夹（与所继承的模板同名即替换它），在 Word 或 WPS 中编辑；",
        "3. `perfdoc check-format hunan-huarong` 检查设置与模板，有错误时以状态 1 退出（`--format json` 输出 JSON）；",
        "4. `perfdoc formats` 按继承关系列出全部格式。",
        "",
        "## 已有的格式",
        "",
        "| 格式 | 基于 | 说明 | format.yaml 行数 |",
        "| --- | --- | --- | --- |",
    ]
    for name, depth, fmt, diagnostics in tree_rows if tree_rows is not None else format_tree():
        if fmt is None:
            out.append(f"| {'　' * depth}`{name}` | | （有错误） | |")
            continue
        lines = sum(1 for line in fmt.config_path.read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.lstrip().startswith("#"))
        parent = f"`{fmt.parent}`" if fmt.parent else "—"
        out.append(f"| {'　' * depth}`{name}` | {parent} | {_cell(fmt.description)} | {lines} |")
    out += [
        "",
        "## 继承（基于）",
        "",
        "`基于: <格式>` 让一个格式只写与另一个格式不同的设置。合并规则：",
        "",
        "- 映射逐键合并：`指标名称`、`公式`、`评分`、`版式` 中只写要改的键，其余继承；",
        "- 其他值，包括列表，整体替换：写了 `等次` 或 `文档` 就要写全；",
        "- `名称`、`基于`、`仅供继承` 不继承；",
        "- 模板先在本文件夹找，找不到再依次到所基于的格式的文件夹中找。",
        "",
        "`national` 是全部格式的基础（`仅供继承: true`），其中有各比率的默认公式、全国通用的等次和指标名称。",
        "湖南部门整体支出自评报告的各地区格式都基于 `hunan-department`，每个只有地区和财政部门几行。",
        "`hunan-department-2019` 是 2016—2019 年的湖南表式：另有部门整体支出绩效评价指标表，计分规则写在它的 `评分.指标计分` 中。",
        "",
        "## 可选文档",
        "",
        "`文档[].条件` 写一个数据文件的顶层键：数据文件写了这一项时才生成该文档。`hunan-department` 的基础数据表（附件1）"
        "写作 `条件: 基础数据`：不报送附件1的部门不写 `基础数据`，只生成自评报告；`perfdoc new` 的骨架中这一项是注释掉的。",
        "",
        "## 地区由数据指定",
        "",
        "格式写 `地区由数据指定: true` 时，数据文件可以写自己的 `地区` 与 `财政部门`（不写财政部门时为“<地区>财政局”），"
        "一个县不必有自己的文件夹也能用同一表式；格式本身没有地区时数据文件必须写（PD110）。",
        "",
        "## 公式",
        "",
        "派生比率的公式写在 `公式` 下，结果是小数，文档中显示为百分数。公式只能是：",
        "",
        "- 数字、数字的名称（见下表）、`+ - * /`（也可写 `× ÷` 和全角括号）、括号；",
        "- 比较 `< <= > >= == !=`（也可写 `≤ ≥`），成立为 1，不成立为 0；",
        f"- 函数 {'、'.join(f'`{name}`' for name in expr.FUNCTIONS)}，别的都不能调用；",
        f"- 不能访问属性（`a.b`），不超过 {expr.MAX_LENGTH} 个字符、{expr.MAX_NODES} 个部分、{expr.MAX_DEPTH} 层嵌套。",
        "",
        "公式读到的数字有一个没有填写时，这个比率不计算（未填写不等于 0）；除数为 0 而被除数不为 0 时无法计算（PD203）。"
        "填写的比率按公式核对，考虑各数的舍入（PD202）。",
        "",
        "| 比率 | 在哪里计算 | 可用的数字 |",
        "| --- | --- | --- |",
    ]
    for name, (scope, names) in RATE_SCOPES.items():
        out.append(f"| `{name}` | {scope} | {'、'.join(f'`{n}`' for n in names)} |")
    out += [
        "",
        "## 计分规则",
        "",
        "`评分.指标外分项` 是不在三级指标中、单独计分的项目（如预算执行率 10 分）：其分值计入权重合计（PD301），"
        "得分计入综合得分（PD304）。`评分.指标计分` 为名称相同的指标规定得分（PD306）。每条规则的 `方式`：",
        "",
    ]
    out += [f"- `{kind}`：{text}" for kind, text in SCORING_KINDS.items()]
    out += [
        "",
        "```yaml",
        "评分:",
        "  指标外分项:",
        "    预算执行率: {方式: 线性, 分值: 10, 比率: 预算完成率}",
        "  指标计分:",
        "    预算控制率:",
        "      方式: 分档",
        "      分值: 8",
        "      比率: 预算调整率",
        "      分档: [{不超过: 0, 得分: 8}, {不超过: 10, 得分: 6}, {不超过: 20, 得分: 4}, {不超过: 30, 得分: 2}]",
        "      超出得分: 0",
        "    预算完成率:",
        "      {方式: 扣分, 分值: 8, 比率: 预算完成率, 基准: 100, 方向: 低于, 每: 5, 扣: 2}",
        "  完成规则:",
        "    正向: 完成值 / 指标值",
        "    反向: 指标值 / 完成值",
        "  定性分档:",
        "    - {名称: 达成, 最高: 100, 最低: 80, 写法: [已达成, 完成, 已完成]}",
        "    - {名称: 部分达成, 最高: 80, 最低: 50, 写法: [基本达成, 基本完成, 部分完成]}",
        "    - {名称: 未达成, 最高: 50, 最低: 0, 写法: [未完成]}",
        "```",
        "",
        "`完成规则` 给出未达成的定量指标最多能得的分值比例（财预〔2020〕10号）；填写的得分高于它时 PD306 提示。",
        "",
        "湖南指标表（数据文件的 `指标表`）中三级指标与 `指标计分` 同名的一项按规则计分：不写得分时由 perfdoc 计算，"
        "写了则核对（PD306），其分值须与规则的分值相同；各项分值合计须为 `总分`（PD301）。"
        "`在职人员控制率`（实有人数 / 人员编制）与 `三公经费变动率`（三公经费预算数的变动，不用决算数）同样可以计分。",
        "",
        "`定性分档` 为定性指标（指标值是文字）规定每一档完成程度的得分范围（分值的百分比，两端都算）。"
        "项目指标的 `完成程度` 写其中一档；不写时，完成值与指标值相同为最高一档，完成值是某档的名称或写法即为该档，"
        "别的写法不判断。填写的得分不在该档范围内时 PD309 报告。全国表式为 100–80、80–50、50–0；"
        "印作 80–60、60–0 的地区在自己的格式中整体改写这个列表。",
        "",
        "## 全部设置",
        "",
        "| 键 | 类型 | 必填 | 说明 |",
        "| --- | --- | --- | --- |",
    ]
    for path, kind, field in _rows(FORMAT_SCHEMA):
        choices = f"（可用：{'、'.join(field.choices)}）" if field.choices and field.kind == "choice" else ""
        out.append(f"| `{path}` | {kind} | {'是' if field.required else ''} | {_cell(field.doc)}{_cell(choices)} |")
    out += [
        "",
        "`文档[].文件名` 由生成步骤使用。",
        "",
        "## 检查：错误代码",
        "",
        "`format.yaml` 的问题写作 `templates/<格式>/format.yaml:行:列: 代码 消息`，位置指向写出该设置的文件"
        "（继承来的设置指向所基于的格式）。一个格式有错误时，用它的数据文件无法校验和生成，`perfdoc formats` 仍列出其余格式。",
        "",
        "| 代码 | 含义 |",
        "| --- | --- |",
    ]
    out += [f"| {code} | {text} |" for code, text in FORMAT_CODES.items()]
    out += [
        "",
        "模板的问题写作 `templates/<格式>/<模板>.docx: 代码 位置：消息`，位置按 Word 的说法："
        "`第 12 段`、`第 3 个表格第 2 行第 1 列`、`页眉（word/header1.xml）第 1 段`。",
        "",
        "| 代码 | 含义 |",
        "| --- | --- |",
    ]
    out += [f"| {code} | {text} |" for code, text in TEMPLATE_CODES.items()]
    out += [
        "",
        "`perfdoc build` 对每个模板做同样的检查（PD901–PD904），有错误的模板不生成，消息与 check-format 相同；"
        "模板引用了不存在的名称时，生成照常进行并给出警告。",
        "",
    ]
    return "\n".join(out)
