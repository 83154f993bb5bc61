"""上年决算数与上年数据文件不符

基础数据表的上年决算数（及三公经费变动率所用的上年三公经费预算）在上年的数据文件与本年文件放在一起时（如 ``2019.yaml`` 旁边有 ``2018.yaml``）自动取自上年文件：不写即可。写了的数字必须与上年文件的本年决算数（本年预算）相同；末尾的 0 不算差别（120.50 与 120.5 相同）。

上年数据：

    基础数据:
      本年预算: {三公经费: {公务用车购置费: 0, 公务用车运维费: 2.00, 因公出国费: 0, 公务接待费: 1.50}}
      本年决算: {基本支出: 120.50, 公用经费: 20.40, 政府采购金额: 15.00}

错误示例：

    基础数据:
      上年决算: {基本支出: 126.50, 政府采购金额: 15}
      上年三公经费预算: 3.00

正确示例：

    基础数据:
      上年决算: {基本支出: 120.5, 政府采购金额: 15}
      上年三公经费预算: 3.50
"""

from __future__ import annotations

from ..load.schema import dotted
from ..numbers import format_amount, plain
from . import Finding, rule


@rule("PD604", "last-year-figure")
def check(ctx):
    for path, stated, last_year in ctx.figures.carried:
        if stated != last_year:
            yield Finding(
                path,
                f"{dotted(path)} 填写为 {plain(stated)}，上年数据文件中为 {format_amount(last_year)}："
                f"请改为 {format_amount(last_year)}，或删去此项由 perfdoc 从上年文件取数",
            )
