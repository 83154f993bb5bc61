"""Synthetic department-years for the build benchmark.

Every synthetic source is assembled from the example sources in ``sources/``:
their sentences, goals, duties and indicator names, with new department
names and new figures. Each has about 10 tasks, 25 indicators and 3 KB of
Markdown narrative, and fills every table the region's documents have
(budget, funding sources, institutions' income, spending, 三公经费 and fixed
assets, projects, tasks with key indicators, indicators with weights and
scores, evaluators).

Totals: the figures perfdoc derives (调整后预算, 收入合计, 执行率, 合计 …) are
not written, so there is nothing to contradict; the stated aggregates that
are inputs (人员支出 with its 明细, a task's 资金 with its 明细, the 评价等次)
are computed exactly from their parts, and the cross-checked totals (tasks'
funds = projects' spending = the institutions' 项目支出) agree to the cent.
A quarter of the departments get two consecutive years, the later one
carrying over the earlier one's 累计结余 and head count.

    python bench/synth.py OUT_DIR [--n 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CENT = Decimal("0.01")

FORMATS = ("guangzhou", "hunan-linxiang", "hunan-yiyang")
PREFIX = {"guangzhou": "广州市", "hunan-linxiang": "临湘市", "hunan-yiyang": "益阳市"}
BASE_YEAR = {"guangzhou": 2022, "hunan-linxiang": 2022, "hunan-yiyang": 2023}
DISTRICTS = {
    "guangzhou": ("天河区", "越秀区", "海珠区", "荔湾区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区", "市直"),
    "hunan-linxiang": ("", "长安街道", "五里街道", "桃林镇", "羊楼司镇", "聂市镇", "忠防镇", "詹桥镇", "坦渡镇", "白羊田镇", "江南镇", "黄盖镇"),
    "hunan-yiyang": ("", "资阳区", "赫山区", "南县", "桃江县", "安化县", "沅江市", "大通湖区", "高新区", "龙岭新区", "东部新区", "市直"),
}
AGENCIES = (
    "总工会", "教育局", "卫生健康局", "财政局", "民政局", "交通运输局", "水利局", "农业农村局", "文化旅游广电体育局",
    "住房和城乡建设局", "自然资源局", "市场监督管理局", "人力资源和社会保障局", "生态环境局", "应急管理局", "司法局",
    "统计局", "审计局", "科学技术局", "商务局", "林业局", "医疗保障局", "退役军人事务局", "档案馆", "图书馆", "文化馆",
    "妇女联合会", "残疾人联合会", "团委", "科学技术协会",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉婷倩雪琳晨阳俊峰颖欣怡宇浩然子轩梓涵"
OFFICES = ("办公室", "财务科", "政策法规科", "规划发展科", "行政审批科", "综合执法队", "宣传教育科", "组织人事科")
POSTS = ("党组成员、分管财务副局长", "财务科科长", "办公室主任", "财务科副科长", "规划财务股股长", "会计", "审计监督科科长", "综合股股长")
INSTITUTIONS = ("机关", "所属事业单位")
LEVELS = {
    "产出": ("数量", "质量", "时效", "成本"),
    "效益": ("经济效益", "社会效益", "生态效益", "可持续影响"),
    "满意度": ("服务对象满意度",),
}
UNITS = ("家", "人", "次", "场", "户", "项", "个", "期")
PERSONNEL = ("基本工资", "津贴补贴", "奖金", "绩效工资", "机关事业单位基本养老保险缴费", "职工基本医疗保险缴费", "住房公积金")
OFFICE = ("办公费", "印刷费", "水电费", "邮电费", "差旅费", "维修费", "会议费", "培训费", "公务接待费", "工会经费", "其他商品和服务支出")
GRADES = {
    "guangzhou": ((90, "优"), (80, "良"), (60, "中"), (0, "差")),
    "hunan-linxiang": ((90, "优秀"), (80, "良好"), (60, "合格"), (0, "不合格")),
    "hunan-yiyang": ((90, "优"), (80, "良"), (60, "中"), (0, "差")),
}
DEFAULT_WEIGHT = {"guangzhou": 10, "hunan-linxiang": 0, "hunan-yiyang": 0}
SECTIONS = {
    "guangzhou": ("机构设置", "人员情况", "总体运行情况", "支出概况", "绩效管理情况", "自评结论", "目标完成情况", "重点项目绩效情况",
                  "部门整体绩效", "存在问题", "改进措施"),
    "hunan-linxiang": ("总体运行情况", "人员情况", "支出概况", "基本支出情况", "专项资金管理情况", "专项组织情况", "专项管理情况",
                       "部门整体绩效", "存在问题", "改进措施"),
    "hunan-yiyang": ("目标完成情况", "评价工作开展情况", "专项资金管理情况", "项目组织情况", "项目管理情况", "经济性分析", "效率性分析",
                     "效益性分析", "可持续性分析", "综合评价结论", "经验做法", "存在问题", "有关建议", "其他需要说明的问题"),
}
# Figure references a narrative may use in every synthetic source.
REFERENCES = (
    "全年调整后预算{{ 预算.调整后预算|万元 }}万元，实际支出{{ 预算.实际支出合计|万元 }}万元，预算完成率{{ 预算.预算完成率|百分比 }}。",
    "各项目实际支出合计{{ 项目合计.实际支出|万元 }}万元，项目执行率{{ 项目合计.执行率|百分比 }}。",
    "全年支出合计{{ 收支合计.支出.支出合计|万元 }}万元，其中基本支出{{ 收支合计.支出.基本支出|万元 }}万元。",
    "“三公”经费支出{{ 收支合计.三公经费.合计|万元 }}万元，严格控制在预算以内。",
)
# Names the headline figures, so that a change from last year counts as explained (PD603).
CHANGES = "调整后预算、实际支出、支出合计和三公经费与上年相比的变动，主要是业务工作量变化所致。"
NARRATIVE_BYTES = 3000


# ----------------------------------------------------------------- text pool


class Pool:
    """Sentences, goals, duties and names taken from the example sources."""

    def __init__(self, sources: list[dict]):
        self.paragraphs, self.goals, self.duties, self.indicators, self.tasks = [], [], [], [], []
        for data in sources:
            for text in (data.get("叙述") or {}).values():
                for block in str(text).split("\n\n"):
                    block = block.strip()
                    if block and "{" not in block and not block.startswith(("#", "1.", "2.", "-", "无")) and len(block) > 30:
                        self.paragraphs.append(_plain_sentences(block))
            for goal in data.get("年度目标") or []:
                self.goals.append((_plain_sentences(goal["目标"]), _plain_sentences(goal.get("完成情况") or goal["目标"])))
            self.duties.extend(str(d) for d in (data.get("部门") or {}).get("职能职责") or [])
            for item in data.get("指标") or []:
                self.indicators.append(str(item["名称"]))
            for task in data.get("任务") or []:
                self.tasks.append((_plain_sentences(task["预期目标"]), _plain_sentences(task.get("完成情况") or task["预期目标"])))
                self.indicators.extend(str(k["名称"]) for k in task.get("关键指标") or [])
        self.paragraphs = sorted(set(self.paragraphs))
        self.indicators = sorted(set(self.indicators))


_AMOUNT = re.compile(r"\d+(?:\.\d+)?万元")


def _plain_sentences(text: str) -> str:
    """A paragraph on one line, without Markdown markup or amounts that belong to another department."""
    return _AMOUNT.sub("相应资金", re.sub(r"\s*\n\s*", "", text).replace("*", "").replace("`", ""))


def load_pool(sources_dir: Path = REPO / "sources") -> Pool:
    from perfdoc.load.loader import load_path

    return Pool([load_path(p).data for p in sorted(sources_dir.rglob("*.yaml"))])


# ----------------------------------------------------------------- figures


def money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(rng.randint(int(low * 100), int(high * 100))) / 100


def split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``total`` in ``parts`` positive amounts that add up to it exactly."""
    cents = int(total * 100)
    if parts == 1 or cents < parts:
        return [total] + [Decimal("0.00")] * (parts - 1)
    cuts = sorted(rng.sample(range(1, cents), parts - 1))
    edges = [0, *cuts, cents]
    return [Decimal(b - a) / 100 for a, b in zip(edges, edges[1:])]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9))


# ----------------------------------------------------------------- one department-year


def department_year(fmt: str, name: str, year: int, rng: random.Random, pool: Pool, previous: dict | None = None) -> dict:
    """One complete, valid department-year (``previous``: last year's data, for carry-overs)."""
    staff_last = previous["部门"]["实有人数"] if previous else rng.randint(8, 80)
    moves = {"调入": rng.randint(0, 3), "录用": rng.randint(0, 2), "调出": rng.randint(0, 2), "退休": rng.randint(0, 2), "辞职": rng.randint(0, 1)}
    staff = staff_last + moves["调入"] + moves["录用"] - moves["调出"] - moves["退休"] - moves["辞职"]
    contact = person(rng)
    dept = {
        "名称": name,
        "联系人": contact,
        "联系电话": phone(rng),
        "人员编制": staff + rng.randint(0, 5),
        "实有人数": staff,
        "上年实有人数": staff_last,
        "离退休人数": rng.randint(0, 30),
        "职能职责": rng.sample(pool.duties, min(len(pool.duties), rng.randint(4, 7))),
        "内设机构": rng.sample(OFFICES, 4),
        "下属单位": [f"{name[:-1] if name.endswith(('局', '会')) else name}{unit}" for unit in rng.sample(("服务中心", "事务中心", "信息中心", "培训中心"), 2)],
        "人员变动": moves,
    }
    report = {
        "评价方式": "部门（单位）绩效自评",
        "评价机构": "部门（单位）评价组",
        "报告日期": f"{year + 1}-03-{rng.randint(10, 28):02d}",
        "填报人": contact,
        "填报人电话": phone(rng),
        "评价组组长": person(rng),
    }

    # projects; their spending is what the institutions' 项目支出 and the tasks' funds add up to
    projects = []
    for index in range(rng.randint(4, 6)):
        budget = money(rng, 20, 400)
        adjust = money(rng, -10, 30)
        spent = min(budget + adjust, money(rng, float(budget) * 0.85, float(budget) * 1.05))
        projects.append({
            "名称": f"{rng.choice(('职工帮扶', '业务培训', '信息化建设', '专项工作', '公共服务', '设施维护', '宣传教育', '安全生产'))}项目{index + 1}",
            "年初预算": budget,
            "调整数": adjust,
            "上年结余": Decimal("0.00"),
            "实际支出": spent,
            "用途": rng.choice(("开展日常业务工作", "专项工作经费", "设备购置与维护", "培训与宣传", "困难群众帮扶")),
            "概述": rng.choice(pool.paragraphs)[:120] + "。",
            "参与评价": index < 2,
        })
    project_spending = sum((p["实际支出"] for p in projects), Decimal(0))

    institutions = []
    shares = split(project_spending, len(INSTITUTIONS), rng)
    for index, (label, project_part) in enumerate(zip(INSTITUTIONS, shares)):
        personnel = {item: money(rng, 2, 120) for item in PERSONNEL}
        office = {item: money(rng, 0.2, 12) for item in OFFICE}
        basic = sum(personnel.values(), Decimal(0)) + sum(office.values(), Decimal(0))
        spending = basic + project_part
        carried = Decimal("0.00")
        if previous:
            last = previous["机构收支"][index]
            carried = sum(last["收入"].values(), Decimal(0)) - _spending_total(last["支出"])
        grant = spending + money(rng, 0, 5)
        income = {
            "上年结转": carried,
            "公共财政拨款": grant,
            "政府基金拨款": money(rng, 0, 10),
            "纳入专户管理的非税收入拨款": money(rng, 0, 3),
            "其他收入": money(rng, 0, 2),
        }
        public = {"公务接待费": money(rng, 0, 3), "公务用车运维费": money(rng, 0, 8), "公务用车购置费": Decimal("0.00"), "因公出国费": Decimal("0.00")}
        institutions.append({
            "名称": label,
            "收入": income,
            "支出": {
                "人员支出": sum(personnel.values(), Decimal(0)),
                "人员支出明细": personnel,
                "公用支出": sum(office.values(), Decimal(0)),
                "公用支出明细": office,
                "项目支出": project_part,
            },
            "三公经费": public,
            "固定资产": {"在用固定资产": money(rng, 50, 900), "出租固定资产": Decimal("0.00"), "其他": money(rng, 0, 20)},
        })

    tasks = []
    for index, funds in enumerate(split(project_spending, 10, rng)):
        goal, done = rng.choice(pool.tasks or pool.goals)
        detail = split(funds, 2, rng)
        tasks.append({
            "名称": f"任务{index + 1}",
            "预期目标": goal,
            "完成情况": done,
            "资金": funds,
            "资金明细": {"专项资金": detail[0], "配套资金": detail[1]},
            "关键指标": [_key_indicator(rng, pool) for _ in range(rng.randint(2, 3))],
        })

    indicators = _indicators(fmt, rng, pool)
    budget_start = money(rng, 300, 3000)
    adjustment = money(rng, -20, 80)
    fund = money(rng, 0, 30)
    general = (budget_start + adjustment) * Decimal(rng.randint(900, 995)) / 1000 - fund
    general = general.quantize(CENT)
    data = {
        "格式": fmt,
        "年度": year,
        "部门": dept,
        "报告": report,
        "预算": {"年初预算": budget_start, "调整数": adjustment, "实际支出": {"一般公共预算": general, "政府性基金": fund}},
        "绩效自评": {
            "一般公共预算": {"项目数": len(projects), "资金": general},
            "政府性基金": {"项目数": 1 if fund else 0, "资金": fund},
        },
        "机构收支": institutions,
        "项目": projects,
        "年度目标": [{"目标": g, "完成情况": d} for g, d in rng.sample(pool.goals, min(5, len(pool.goals)))],
        "任务": tasks,
        "指标": indicators,
        "评价人员": [{"姓名": person(rng), "职务": post, "单位": name} for post in rng.sample(POSTS, 4)],
        "叙述": _narrative(fmt, rng, pool),
    }
    if DEFAULT_WEIGHT[fmt] == 0:  # the score is the indicators' scores: its grade can be stated
        score = sum((item["得分"] for item in indicators), Decimal(0))
        data["评分"] = {"评价等次": next(grade for low, grade in GRADES[fmt] if score >= low)}
    return data


def _spending_total(spending: dict) -> Decimal:
    return spending["人员支出"] + spending["公用支出"] + spending["项目支出"]


def _key_indicator(rng: random.Random, pool: Pool) -> dict:
    unit = rng.choice(UNITS)
    target = rng.randint(5, 200)
    return {"名称": rng.choice(pool.indicators), "目标值": f"≥{target}{unit}", "完成情况": f"{target + rng.randint(0, 30)}{unit}"}


def _indicators(fmt: str, rng: random.Random, pool: Pool) -> list:
    """25 indicators whose weights (with the format's default weights) add up to 100."""
    count = 25
    weights = [Decimal(w) for w in _int_split(100 - DEFAULT_WEIGHT[fmt], count, rng)]
    out = []
    level1 = ["产出"] * 13 + ["效益"] * 8 + ["满意度"] * 4
    for index, (first, weight) in enumerate(zip(level1, weights)):
        second = rng.choice(LEVELS[first])
        if first == "满意度" or rng.random() < 0.3:
            target, actual = rng.choice(((90, 96), (95, 98), (85, 93), (100, 100)))
            target_text, actual_text = f"≥{target}%", f"{actual}%"
        else:
            unit = rng.choice(UNITS)
            target = rng.randint(3, 500)
            target_text, actual_text = f"≥{target}{unit}", f"{target + rng.randint(0, 50)}{unit}"
        lost = Decimal(rng.choice((0, 0, 0, 0.5, 1))) if weight > 1 else Decimal(0)
        out.append({
            "一级": first,
            "二级": second,
            "名称": f"{rng.choice(pool.indicators)}（{index + 1}）",
            "目标值": target_text,
            "实际值": actual_text,
            "权重": weight,
            "得分": weight - lost,
            "已完成": True,
        })
    return out


def _int_split(total: int, parts: int, rng: random.Random) -> list[int]:
    base = [1] * parts
    for _ in range(total - parts):
        base[rng.randrange(parts)] += 1
    return base


def _narrative(fmt: str, rng: random.Random, pool: Pool) -> dict:
    """About NARRATIVE_BYTES of Markdown over the format's sections: headings, lists, bold, references."""
    sections = SECTIONS[fmt]
    budget = NARRATIVE_BYTES // len(sections)
    out = {}
    for number, section in enumerate(sections):
        parts: list[str] = []
        if number % 3 == 0:
            parts.append(f"#### {number + 1}、{rng.choice(('工作开展情况', '主要做法', '取得成效', '基本情况'))}")
        if number % 4 == 1:
            parts.append(rng.choice(REFERENCES))
        if number == 0:
            parts.append(CHANGES)
        size = len("\n\n".join(parts).encode("utf-8"))
        while size < budget:
            text = rng.choice(pool.paragraphs)[: max(20, (budget - size) // 3)]
            if number % 3 == 2:
                items = [f"{i}. {sentence}" for i, sentence in enumerate(_sentences(text)[:3], 1)]
                text = "\n".join(items) if items else text
            elif rng.random() < 0.3:
                text = f"**{text[:12]}**{text[12:]}"
            parts.append(text)
            size = len("\n\n".join(parts).encode("utf-8"))
        out[section] = "\n\n".join(parts) + "\n"
    return out


def _sentences(text: str) -> list[str]:
    return [s + "。" for s in text.split("。") if s.strip()]


# ----------------------------------------------------------------- the set


def generate(out: Path, n: int, seed: int = 1, pool: Pool | None = None) -> list[Path]:
    """``n`` department-years under ``out/<format>/<department>/<year>.yaml``; returns their paths."""
    pool = pool or load_pool()
    rng = random.Random(seed)
    written: list[Path] = []
    index = 0
    while len(written) < n:
        fmt = FORMATS[index % len(FORMATS)]
        serial = index // len(FORMATS)
        district = DISTRICTS[fmt][serial % len(DISTRICTS[fmt])]
        agency = AGENCIES[(serial // len(DISTRICTS[fmt])) % len(AGENCIES)]
        round_ = serial // (len(DISTRICTS[fmt]) * len(AGENCIES))
        name = f"{PREFIX[fmt]}{district}{agency}" + (f"第{round_ + 1}分部" if round_ else "")
        years = 2 if index % 4 == 3 and len(written) + 2 <= n else 1
        previous = None
        for offset in range(years):
            year = BASE_YEAR[fmt] - (years - 1) + offset
            data = department_year(fmt, name, year, rng, pool, previous)
            path = out / fmt / name / f"{year}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(to_yaml(data, header=f"{year}年度{name}部门整体支出绩效自评（合成数据，用于性能测试）"), encoding="utf-8")
            written.append(path)
            previous = data
        index += 1
    return written


# ----------------------------------------------------------------- YAML text


_NOT_PLAIN = re.compile(r"""^[\s\-?:,\[\]{}#&*!|>'"%@`]|[:#]|\s$|^$|\n""")
_RESOLVES = re.compile(
    r"^(?:[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0x[0-9a-fA-F]+|0o[0-7]+"
    r"|true|True|TRUE|false|False|FALSE|null|Null|NULL|~|yes|no|on|off|y|n|Yes|No|On|Off|\d{4}-\d.*)$"
)
_FLOW_UNSAFE = re.compile(r"[,\[\]{}]")


def scalar(value, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    text = str(value)
    if _NOT_PLAIN.search(text) or _RESOLVES.match(text) or (flow and _FLOW_UNSAFE.search(text)):
        return json.dumps(text, ensure_ascii=False)
    return text


def to_yaml(data: dict, header: str = "") -> str:
    lines = [f"# {header}"] if header else []
    _emit_map(data, 0, lines)
    return "\n".join(lines) + "\n"


def _emit_map(data: dict, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            _emit_map(value, indent + 2, lines)
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:")
            _emit_list(value, indent + 2, lines)
        elif isinstance(value, str) and "\n" in value:
            lines.append(f"{pad}{key}: |")
            lines.extend(f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n"))
        else:
            lines.append(f"{pad}{key}: {scalar(value)}")


def _emit_list(items: list, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and all(not isinstance(v, (dict, list)) for v in item.values()) and "一级" in item:
            pairs = ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in item.items())
            lines.append(f"{pad}- {{{pairs}}}")  # indicators as one flow mapping per line, as people write them
        elif isinstance(item, dict):
            first = len(lines)
            _emit_map(item, indent + 2, lines)
            lines[first] = f"{pad}- " + lines[first][indent + 2 :]
        else:
            lines.append(f"{pad}- {scalar(item)}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    paths = generate(args.out, args.n, args.seed)
    print(f"{len(paths)} 个部门年度 → {args.out}")


if __name__ == "__main__":
    main()
