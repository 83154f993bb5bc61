"""实有人数与上年人数及当年变动不符

文件中填写了人员变动时，实有人数必须等于上年人数加调入、录用，减调出、退休、辞职和其他减少。上年人数取 ``上年实有人数``，或在上年数据文件存在时取其中的实有人数（两者都有时必须一致）。

错误示例：

    部门:
      名称: 临湘市总工会
      上年实有人数: 24
      实有人数: 26
      人员变动: {调入: 2, 退休: 1, 辞职: 1}

正确示例：

    部门:
      名称: 临湘市总工会
      上年实有人数: 24
      实有人数: 24
      人员变动: {调入: 2, 退休: 1, 辞职: 1}
"""

from __future__ import annotations

from . import Finding, rule

_GAINS = ("调入", "录用")
_LOSSES = ("调出", "退休", "辞职", "其他减少")


@rule("PD602", "staff-continuity")
def check(ctx):
    dept = ctx.model.get("部门") or {}
    stated_last = dept.get("上年实有人数")
    file_last = ((ctx.previous.model.get("部门") or {}).get("实有人数")) if ctx.previous else None
    if stated_last is not None and file_last is not None and stated_last != file_last:
        yield Finding(("部门", "上年实有人数"), f"上年实有人数 {stated_last} 与上年文件中的实有人数 {file_last} 不符")
    last = stated_last if stated_last is not None else file_last
    changes = dept.get("人员变动")
    now = dept.get("实有人数")
    if last is None or not changes or now is None:
        return
    expected = last + sum(changes.get(k, 0) for k in _GAINS) - sum(changes.get(k, 0) for k in _LOSSES)
    if expected != now:
        moves = "".join(f" + {k}{changes[k]}" for k in _GAINS if changes.get(k)) + "".join(
            f" − {k}{changes[k]}" for k in _LOSSES if changes.get(k)
        )
        yield Finding(("部门", "实有人数"), f"实有人数应为 上年{last}{moves} = {expected}，文件中为 {now}")
