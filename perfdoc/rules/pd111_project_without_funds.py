"""项目自评表中的项目没有资金

项目支出绩效自评表的每个项目都要写项目资金：按来源（当年财政拨款、上年结转资金、其他资金）分行，每行写年初预算数、全年预算数、全年执行数。没有资金就无法计算预算执行率，也无法生成自评表。

写作 ``资金: {}`` 的项目是留待填写的位置（``perfdoc next-year`` 这样写新一年的文件）：只给警告，文档中的资金显示“【待填写】”标记；``perfdoc validate --ready`` 把它当作错误。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        年度总体目标: {预期目标: 培训职工 1000 人次}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 48}
        年度总体目标: {预期目标: 培训职工 1000 人次}
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import Severity
from ..load.schema import FUND_COLUMNS, FUND_SOURCES, NATIONAL_FUND_SOURCES
from . import Finding, rule


def _hint(fmt) -> str:
    sources = fmt.fund_sources if fmt is not None else NATIONAL_FUND_SOURCES
    return f"在“资金”下按来源（{'、'.join(sources)}）写，如：{sources[0]}: {{年初预算数: 50, 全年预算数: 50, 全年执行数: 48}}"


@rule("PD111", "project-without-funds")
def check(ctx):
    for index, project in enumerate(ctx.model.get("项目自评") or []):
        raw = (ctx.data.get("项目自评") or [])[index] if isinstance(ctx.data, dict) else None
        if not isinstance(raw, dict):
            continue  # not a mapping: PD103 says so
        written_funds = raw.get("资金")
        if "资金" in raw and (not isinstance(written_funds, dict) or not all(isinstance(v, dict) for v in written_funds.values())):
            continue  # written in the wrong shape: PD103 says where
        funds = project.get("资金") or {}
        written = any(isinstance((funds.get(source) or {}).get(column), Decimal)
                      for source in FUND_SOURCES + ("年度资金总额",) for column in FUND_COLUMNS)
        if not written and "资金" not in raw:
            yield Finding(("项目自评", index, "名称"), f"项目“{project.get('名称', '')}”没有写“资金”", hint=_hint(ctx.format))
        elif written_funds == {}:  # the place kept for this year's funds, as next-year writes it
            yield Finding(("项目自评", index, "资金"), "“资金”尚未填写，文档中将显示“【待填写】”标记",
                          hint=_hint(ctx.format), severity=Severity.WARNING)
        elif not written:
            yield Finding(("项目自评", index, "资金"), "“资金”中没有任何金额", hint=_hint(ctx.format))
