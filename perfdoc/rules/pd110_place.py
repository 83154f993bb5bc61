"""地区或财政部门与格式不符

格式写明“地区由数据指定”时（如 hunan-department），数据文件可以写自己的“地区”和“财政部门”，封面和标题按它生成；这时格式本身没有地区的，必须写“地区”。地区应以省、市、县、区、州、盟、旗结尾；财政部门应含“财政”二字。格式不允许时，数据文件不能改写地区。

错误示例：

    格式: hunan-department
    财政部门: 平江县财政局

正确示例：

    格式: hunan-department
    地区: 平江县
    财政部门: 平江县财政局
"""

from __future__ import annotations

import re

from . import Finding, rule

_REGION_RE = re.compile(r"^[\u4e00-\u9fff（）·]{1,20}(省|市|县|区|州|盟|旗)$")


@rule("PD110", "place")
def check(ctx):
    fmt = ctx.format
    if fmt is None or not isinstance(ctx.model, dict):
        return
    region, office = ctx.model.get("地区"), ctx.model.get("财政部门")
    own = fmt.options.get("地区")
    given = [key for key, value in (("地区", region), ("财政部门", office)) if value is not None]
    if given and not fmt.place_from_source:
        for key in given:
            yield Finding((key,), f"格式“{fmt.name}”的{key}固定为“{fmt.options.get(key, '（无）')}”，数据文件不能改写；"
                                   "如需用于其他地区，请用允许“地区由数据指定”的格式，或 perfdoc new-format 新建一个", at_key=True)
        return
    if not fmt.place_from_source:
        return
    if region is None and not own:
        where = ("财政部门",) if office is not None else ("格式",)
        yield Finding(where, f"格式“{fmt.name}”由数据文件填写地区：请写“地区”（如 平江县），封面和标题要用它", at_key=True)
        return
    if isinstance(region, str) and not _REGION_RE.match(region.strip()):
        yield Finding(("地区",), f"“{region}”不像一个地区名称：应为汉字，以省、市、县、区、州、盟、旗结尾，如 平江县")
    if isinstance(office, str) and "财政" not in office:
        yield Finding(("财政部门",), f"“{office}”不像财政部门的名称：应如“{(region or own or '某县').strip()}财政局”")
    elif isinstance(office, str) and region is None and own and not office.startswith(own):
        yield Finding(("财政部门",), f"财政部门“{office}”与格式的地区“{own}”不一致：另一地区请同时写“地区”")
