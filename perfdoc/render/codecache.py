"""Jinja templates compiled once per machine, not once per process.

Compiling a template part is most of what a process pays before its first
document. The code Jinja makes for a source depends only on the source, the
Python and Jinja versions, the sandbox (its code generator and settings, in
:mod:`.sandbox`) and the names of its filters and tests, so that code is kept
in the user's cache (:mod:`perfdoc.usercache`) under a digest of all of them
and loaded back with ``marshal``, as Python keeps its own ``.pyc`` files.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from .. import usercache

KIND = "jinja"


def compiled(env, source: str):
    """``env.from_string(source)``, with the compiled code kept between runs."""
    name = usercache.key(_shape(env), source)
    code = usercache.read_value(KIND, name)
    if code is None:
        code = env.compile(source)  # raises what from_string raises for a broken source
        usercache.write_value(KIND, name, code)
    return env.template_class.from_code(env, code, env.make_globals(None))


def _shape(env) -> str:
    """Everything besides the source that shapes the code ``env`` compiles."""
    return _shape_of(type(env), env.code_generator_class, env.autoescape, tuple(sorted(env.filters)),
                     tuple(sorted(env.tests)))


@lru_cache(maxsize=8)
def _shape_of(env_class, generator_class, autoescape, filters, tests) -> str:
    import jinja2

    from . import sandbox

    return "\0".join([
        importlib.util.MAGIC_NUMBER.hex(), jinja2.__version__, env_class.__qualname__, generator_class.__qualname__,
        repr(autoescape), ",".join(filters), ",".join(tests), usercache.key(Path(sandbox.__file__).read_bytes()),
    ])
