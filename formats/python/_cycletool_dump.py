"""Write a cycletool dump of this Python process's heap.

This is the body of the cycletool_dump module: import cycletool_dump (a
small file that first checks the Python version, then puts this module in
its place), not this one.

The dump is JSON Lines (format version 3, see cycletool-dump(5)): a header
(the process id, the process's dump number "seq" from 1, the time), one
line per object, a trailer.  When tracemalloc is tracing, each object's
line names its allocation site (the innermost frame tracemalloc recorded
for it) by a number, defined once by a site line before its first use.  It records every object the cycle collector
tracks (gc.get_objects()) plus the untracked objects they refer to, with
each object's true reference count and its references exactly as the
collector sees them (gc.get_referents), so that cycletool can replay the
collector and tell garbage cycles from live ones.

Three ways to make a dump:

    import cycletool_dump
    cycletool_dump.dump("app.jsonl")             # now, from inside the program

    cycletool_dump.install_signal_handler(signal.SIGUSR1, "app-{pid}-{n}.jsonl")
                                                 # whenever the process gets SIGUSR1

    python3 -m cycletool_dump -o app.jsonl -- app.py [args]
                                                 # when app.py ends (normally,
                                                 # by SystemExit or by an exception)

    cycletool_dump.dump("app.jsonl", fork=True)  # by a forked child: the program
                                                 # pauses only for the fork

The dumper never runs the collector (the point is to see the garbage before
it is freed), disables it while it works, runs no code of the program's
classes (no properties, __getattr__, __repr__, __sizeof__ overrides) and
leaves nothing behind.  Standard library only; CPython 3.8 or newer.
"""

import _thread
import gc
import io
import itertools
import os
import sys
import time
import types
import weakref
from itertools import filterfalse as _filterfalse, islice as _islice, repeat as _repeat
from functools import partial as _partial
from operator import is_ as _is
from json.encoder import encode_basestring as _jstr

__all__ = ["dump", "install_signal_handler", "main", "FORMAT_VERSION"]

FORMAT_VERSION = 3

try:
    import _tracemalloc
except ImportError:        # pragma: no cover (built without it)
    _tracemalloc = None

# Longest str/bytes value written, in characters.
VALUE_MAX = 100
# Longest dict-key text inside a "[...]" label.
KEY_MAX = 80

_getrefcount = sys.getrefcount
_float_repr = float.__repr__
_get_referents = gc.get_referents
_is_tracked = gc.is_tracked
_getsizeof = sys.getsizeof
_object_getattribute = object.__getattribute__
_object_sizeof = object.__sizeof__

# Descriptors read straight from the builtin types, so that a metaclass or a
# subclass can never substitute its own (Python) code.
_type_mro_raw = type.__dict__["__mro__"].__get__
_type_dict_raw = type.__dict__["__dict__"].__get__
_type_qualname = type.__dict__["__qualname__"].__get__
_type_flags = type.__dict__["__flags__"].__get__
_type_dictoffset = type.__dict__["__dictoffset__"].__get__
_type_bases = type.__dict__["__bases__"].__get__
_type_base = type.__dict__["__base__"].__get__
_func_code = types.FunctionType.__dict__["__code__"].__get__
_func_closure = types.FunctionType.__dict__["__closure__"].__get__
_func_qualname = types.FunctionType.__dict__["__qualname__"].__get__
_func_name = types.FunctionType.__dict__["__name__"].__get__
_func_defaults = types.FunctionType.__dict__["__defaults__"].__get__
_func_kwdefaults = types.FunctionType.__dict__["__kwdefaults__"].__get__
_module_dict = types.ModuleType.__dict__["__dict__"].__get__
_cell_contents = types.CellType.__dict__["cell_contents"].__get__
_tb_next = types.TracebackType.__dict__["tb_next"].__get__
_frame_code = types.FrameType.__dict__["f_code"].__get__
_frame_trace = types.FrameType.__dict__["f_trace"].__get__
_exc_args = BaseException.__dict__["args"].__get__
_exc_tb = BaseException.__dict__["__traceback__"].__get__
_exc_context = BaseException.__dict__["__context__"].__get__
_exc_cause = BaseException.__dict__["__cause__"].__get__
_ref_call = weakref.ref.__call__
_dict_items = dict.items
_dict_get = dict.get
_dict_values = dict.values
_list_copy = list.copy
_tuple_slice = tuple.__getitem__
_str_slice = str.__getitem__
_str_repr = str.__repr__

_EMPTY = {}


def _type_mro(t):
    """t.__mro__, or t and its tp_base chain for a static type that was
    never readied (3.8 and 3.9's functools._lru_list_elem: its __mro__ and
    __dict__ are None until something looks an attribute up on it, and the
    dumper must not be that something)."""
    mro = _type_mro_raw(t)
    if mro is not None:
        return mro
    chain = []
    while t is not None:
        chain.append(t)
        t = _type_base(t)
    return tuple(chain)


def _type_dict(t):
    """t.__dict__ as a mapping (empty for a type never readied)."""
    d = _type_dict_raw(t)
    return _EMPTY if d is None else d


_HEAPTYPE = 1 << 9
_FunctionType = types.FunctionType
_CodeType = types.CodeType
_CellType = types.CellType
_ModuleType = types.ModuleType
_MemberDescriptorType = types.MemberDescriptorType
_WEAKREF_TYPES = (weakref.ReferenceType,)
_PROXY_TYPES = (weakref.ProxyType, weakref.CallableProxyType)
_BUILTIN_CALLABLES = (types.BuiltinFunctionType, types.WrapperDescriptorType,
                      types.MethodDescriptorType, types.MethodWrapperType,
                      types.ClassMethodDescriptorType)
_GC_HEADER = None          # sys.getsizeof(o) - o.__sizeof__() for gc objects

_LEN_TYPES = frozenset((str, bytes, bytearray, list, tuple, dict, set,
                        frozenset))
try:
    from collections import deque as _deque, OrderedDict as _OrderedDict
    _LEN_TYPES = _LEN_TYPES | {_deque, _OrderedDict}
except ImportError:        # pragma: no cover
    _deque = None

_LEN_ONLY_TYPES = _LEN_TYPES - {str, bytes}
_MISSING = object()
# Types whose objects head() gives a value or a name (besides types, modules
# and the _LEN_TYPES).
_VALUE_NAME_TYPES = frozenset((str, int, float, bool, bytes, type(None),
                               _FunctionType, _CodeType, _CellType))

# Safe getters for C-level fields of builtin types: (type, label, getter).
# Every getter here is builtin code that only returns a field: none of them
# creates an object the heap did not already hold (unlike function.__dict__,
# function.__annotations__, frame.f_locals, frame.f_back or generator.gi_frame,
# which are left out on purpose).
_FIELD_GETTERS = [
    (types.FunctionType, ".__code__", _func_code),
    (types.FunctionType, ".__closure__", _func_closure),
    (types.FunctionType, ".__defaults__", _func_defaults),
    (types.FunctionType, ".__kwdefaults__", _func_kwdefaults),
    (types.FunctionType, ".__name__", _func_name),
    (types.FunctionType, ".__qualname__", _func_qualname),
    (types.CellType, ".cell_contents", _cell_contents),
    (types.TracebackType, ".tb_next", _tb_next),
    (types.FrameType, ".f_code", _frame_code),
    (types.FrameType, ".f_trace", _frame_trace),
    (BaseException, ".args", _exc_args),
    (BaseException, ".__traceback__", _exc_tb),
    (BaseException, ".__context__", _exc_context),
    (BaseException, ".__cause__", _exc_cause),
    (type, ".__mro__", _type_mro_raw),
    (type, ".__bases__", _type_bases),
    (type, ".__base__", _type_base),
    (types.BuiltinFunctionType, ".__self__",
     types.BuiltinFunctionType.__dict__["__self__"].__get__),
]
for _t, _attrs in ((types.GeneratorType, ("__name__", "__qualname__", "gi_yieldfrom")),
                   (types.CoroutineType, ("__name__", "__qualname__", "cr_await")),
                   (types.AsyncGeneratorType, ("__name__", "__qualname__", "ag_await"))):
    for _a in _attrs:
        if _a in _t.__dict__:
            _FIELD_GETTERS.append((_t, "." + _a, _t.__dict__[_a].__get__))
del _t, _attrs, _a


_str_isascii = str.isascii
_str_encode = str.encode


def _one_of(t, group):
    """t is one of the types in group, compared by identity: `t in group`
    would hash or compare t, which runs a metaclass's __hash__ or __eq__."""
    for x in group:
        if t is x:
            return True
    return False


def _safe_text(s):
    """s as a str that encodes to UTF-8 (lone surrogates escaped)."""
    if _str_isascii(s):
        return s
    try:
        _str_encode(s, "utf-8")
        return s
    except UnicodeEncodeError:
        return _str_encode(s, "utf-8", "backslashreplace").decode("utf-8")


def _j(s):
    return _jstr(_safe_text(s))


def _mro_lookup(mro, name):
    """(owner, value) of the first class in mro whose own dict has name."""
    for cls in mro:
        d = _type_dict(cls)
        if name in d:
            return cls, d[name]
    return None, _MISSING


def _is_descriptor(value):
    """True if value's type has __get__ (looked up without running code)."""
    for cls in _type_mro(type(value)):
        if "__get__" in _type_dict(cls):
            return True
    return False


def _key_text(k):
    """Text of a dict key for a "[...]" label, without running program code."""
    t = type(k)
    if issubclass(t, str):
        r = _str_repr(k)
    elif t in (int, float, bool, complex, bytes, type(None)) or t is type(...):
        try:
            r = repr(k)
        except ValueError:       # int too large for str()
            r = "<int>"
    elif t is tuple and len(k) <= 4 and all(
            _one_of(type(x), (str, int, float, bool, bytes, type(None))) for x in k):
        try:
            r = repr(k)
        except ValueError:
            r = "<tuple>"
    else:
        try:
            r = "<%s 0x%x>" % (_type_qualname(t), id(k))
        except Exception:
            r = "<? 0x%x>" % id(k)
    if len(r) > KEY_MAX:
        r = r[:KEY_MAX - 3] + "..."
    return r


def _code_names(code, out, depth=0):
    out.update(code.co_names)
    if depth < 8:
        for c in code.co_consts:
            if type(c) is _CodeType:
                _code_names(c, out, depth + 1)


def _functions_of(value):
    """Function objects behind a class-dict value (methods, properties...)."""
    t = type(value)
    if t is _FunctionType:
        return (value,)
    if t is staticmethod or t is classmethod:
        f = staticmethod.__dict__["__func__"].__get__(value) if t is staticmethod \
            else classmethod.__dict__["__func__"].__get__(value)
        return (f,) if type(f) is _FunctionType else ()
    if t is property:
        out = []
        for name in ("fget", "fset", "fdel"):
            f = property.__dict__[name].__get__(value)
            if type(f) is _FunctionType:
                out.append(f)
        return out
    return ()


class _TypeInfo:
    """What the dumper knows about one type, built once per dump."""
    __slots__ = ("tname", "fin", "safe_size", "is_gc", "kind", "getters",
                 "heap", "cands", "found", "getattr_ok", "has_dict",
                 "class_vals", "pool_tries", "is_type", "weak",
                 "found_labels", "scans", "misses", "desc", "plain", "has_len", "tpls")


def _make_info(t):
    info = _TypeInfo()
    try:
        info.tname = _j(_type_qualname(t))
    except Exception:
        info.tname = '"?"'
    mro = _type_mro(t)
    info.fin = any("__del__" in _type_dict(c) for c in mro if c is not object)
    owner, sz = _mro_lookup(mro, "__sizeof__")
    info.safe_size = type(sz) in _BUILTIN_CALLABLES
    info.heap = bool(_type_flags(t) & _HEAPTYPE)
    # kind: 1 exact list/tuple/deque (by position), 2 dict or subclass,
    # 3 list or tuple subclass, 0 other
    if t is list or t is tuple or (_deque is not None and t is _deque):
        info.kind = 1
    elif issubclass(t, dict):
        info.kind = 2
    elif issubclass(t, (list, tuple)):
        info.kind = 3
    else:
        info.kind = 0
    info.is_type = issubclass(t, type)
    # plain: head() writes no len, value or name for it
    # plain: 1 when head() writes no len, value or name for it, 2 when only
    # a len (exact containers), 0 otherwise (see run).
    info.has_len = _one_of(t, _LEN_TYPES)
    if _one_of(t, _LEN_ONLY_TYPES):
        info.plain = 2
    else:
        info.plain = int(not (info.has_len or info.is_type or _one_of(t, _VALUE_NAME_TYPES)
                              or issubclass(t, _ModuleType)))
    info.weak = 1 if issubclass(t, _WEAKREF_TYPES) else 2 if _one_of(t, _PROXY_TYPES) else 0
    getters = []
    seen = set()
    for bt, label, g in _FIELD_GETTERS:
        if issubclass(t, bt):
            getters.append((_j(label), g))
            seen.add(label)
    for c in mro:
        for name, v in _type_dict(c).items():
            if type(v) is _MemberDescriptorType and ("." + name) not in seen:
                seen.add("." + name)
                getters.append((_j("." + _safe_text(name)), v.__get__))
    info.getters = getters
    info.cands = None
    info.found = None
    info.found_labels = None
    info.class_vals = None
    info.pool_tries = 0
    info.scans = info.misses = 0
    info.desc = {}
    info.has_dict = False
    info.getattr_ok = False
    info.tpls = None
    if info.heap:
        info.has_dict = _type_dictoffset(t) != 0
        ga_owner, _ = _mro_lookup(mro, "__getattribute__")
        gattr_owner, _ = _mro_lookup(mro, "__getattr__")
        info.getattr_ok = ga_owner is object and gattr_owner is None
        names = set()
        class_vals = {}
        for c in mro:
            if not (_type_flags(c) & _HEAPTYPE):
                continue
            d = _type_dict(c)
            for name, v in d.items():
                for f in _functions_of(v):
                    _code_names(_func_code(f), names)
                if name in ("__annotations__", "__dataclass_fields__") and type(v) is dict:
                    names.update(k for k in v if type(k) is str)
                elif name == "__match_args__" and type(v) is tuple:
                    names.update(k for k in v if type(k) is str)
        # Keep only names that are safe to look up on an instance: absent from
        # the classes, or present there as a plain value (not a descriptor).
        cands = []
        for name in names:
            if type(name) is not str or name.startswith("__") and name.endswith("__"):
                continue
            owner, v = _mro_lookup(mro, name)
            if owner is None:
                cands.append(name)
            elif not _is_descriptor(v):
                cands.append(name)
                class_vals[name] = id(v)
        info.cands = cands
        info.found = []
        info.found_labels = []
        info.class_vals = class_vals
        if info.getattr_ok and info.kind == 0 and not info.is_type:
            info.tpls = {}      # labels_json's templates, by referent count
    return info


def _unsafe_referents():
    """Ids of objects gc.get_referents must not be called on.

    CPython 3.12.0-3.12.5 and 3.13 before 3.13.0 final traverse the _asyncio
    module's free list of FutureIter objects (gh-122695): get_referents then
    returns freed memory, and the next collection may crash or hang.  For
    that module the dumper writes its __dict__ as its only reference.
    """
    v = sys.version_info
    if not ((3, 12) <= v[:3] < (3, 12, 6) or
            (v[:2] == (3, 13) and v.releaselevel != "final")):
        return frozenset()
    m = sys.modules.get("_asyncio")
    return frozenset((id(m),)) if m is not None else frozenset()


# labels_for's put(obj, label): label the first unlabeled position that
# holds obj; True if there was one.  _put_small: work is the list of the
# referents' ids, a labeled position's id set to 0 (no object's);
# _put_where: where maps an id to its unlabeled positions, in order.
def _put_small(work, labels, obj, label):
    k = id(obj)
    if k in work:
        i = work.index(k)
        work[i] = 0
        labels[i] = label
        return True
    return False


def _put_where(where, labels, obj, label):
    lst = where.get(id(obj))
    if lst:
        labels[lst.pop(0)] = label
        return True
    return False


def _held_where(where, k):
    lst = where.get(k)
    return len(lst) if lst else 0


class _Dumper:
    def __init__(self, objs, out, exclude):
        self.objs = objs
        self.out = out
        self.exclude = exclude
        self.infos = {}
        self.cellnames = {}
        self.pool = None
        self.pool_budget = 200
        self.index_labels = []
        self.key_json = {}
        self.spill = None
        self.single = -1
        # Allocation sites, when tracemalloc traces: (file, line) -> the
        # object line's ',"site":N' text.
        self.listed_tracked = False
        self.traceback_of = None
        self.sites = {}
        self.n_sites = 0

    def site_text(self, o, emit):
        """',"site":N' for o's allocation site ('' when tracemalloc has
        none), emitting the site's line through emit the first time.
        _get_object_traceback only looks the object's address up in
        tracemalloc's table: no code of the object's type runs."""
        tb = self.traceback_of(o)
        if not tb:
            return ""
        fr = tb[0]                  # the innermost frame: (filename, lineno)
        text = self.sites.get(fr)
        if text is None:
            fn, ln = fr
            if ln == 0 and fn == "<unknown>":
                text = ""           # allocated with no Python frame
            else:
                n = self.n_sites
                self.n_sites = n + 1
                emit('{"cycletool_site":%d,"file":%s,"line":%d}\n' % (
                    n, _j(fn if type(fn) is str else str(fn)), ln))
                text = ',"site":%d' % n
            self.sites[fr] = text
        return text

    # -- labels ---------------------------------------------------------

    def idx_labels(self, n):
        il = self.index_labels
        while len(il) < n:
            il.append('"[%d]"' % len(il))
        return il[:n]

    def labels_json(self, o, t, info, rs, ids):
        """',"labels":[...]' (JSON label texts or null, one for each
        referent of o), ',"idx":-1' or ',"idx":1' when the labels are the
        referents' indices (from the last or from the first), or '' when
        every label would be null.  ids: the ids of rs."""
        if info.kind == 1:
            # list and tuple visit every item from the last to the first
            # (CPython's list_traverse and tupletraverse); deque in order.
            if t is list or t is tuple:
                return ',"idx":-1'
            n = len(rs)
            if info.heap and rs[0] is t:
                # 3.12 and later: deque is a heap type, visited first.
                return ',"labels":[' + ",".join(
                    ['".__class__"'] + self.idx_labels(n - 1)) + "]"
            return ',"idx":1'
        if t is dict:
            labels = self.dict_labels(o, rs)
            if labels is not None:
                return ',"labels":[' + ",".join(labels) + "]"
        elif info.kind == 3 and info.heap and not info.getters:
            text = self.subclass_labels(o, t, rs, ids)
            if text is not None:
                return text
        tpl = info.tpls
        if tpl is not None:
            # An instance laid out like an earlier one of its type: its
            # labels when each position still holds what the same attribute
            # (or the class) gives and no object is at two positions (the
            # labels labels_for would give then; see template()).
            n = len(rs)
            tp = tpl.get(n)
            if tp is not None and len(set(ids)) == n and all(map(
                    _is, map(getattr, _repeat(o, n), tp[0], _repeat(t, n)), rs)):
                return tp[1]
        labels = self.labels_for(o, t, info, rs, ids)
        if labels is None:
            return ""
        text = ',"labels":[' + ",".join(labels) + "]"
        if tpl is not None:
            self.template(o, t, info, rs, ids, labels, text)
        return text

    def template(self, o, t, info, rs, ids, labels, text):
        """Remember o's labels for the next instances of t with as many
        referents (see labels_json) when every referent is labeled, by an
        attribute name the type neither defines nor has as anything but a
        slot (so that getattr runs no code of the program and finds the
        instance's value) or as the class, and no object is at two
        positions.  A position of the class looks up "__class__" with
        getattr's default t: an instance has no attribute of that name
        other than its type (getattr_ok)."""
        n = len(rs)
        if n > 64 or len(set(ids)) != n:
            return
        mro = _type_mro(t)
        if _mro_lookup(mro, "__class__")[0] is not object:
            return
        names = []
        for i, lab in enumerate(labels):
            if lab == '".__class__"':
                if rs[i] is not t:
                    return
                names.append("__class__")
                continue
            if len(lab) < 4 or lab[:2] != '".' or lab[-1] != '"':
                return
            name = lab[2:-1]
            if not name.isidentifier() or (name.startswith("__") and name.endswith("__")):
                return
            owner, v = _mro_lookup(mro, name)
            if owner is not None and type(v) is not _MemberDescriptorType:
                return
            names.append(name)
        names = tuple(names)
        if not all(map(_is, map(getattr, _repeat(o, n), names, _repeat(t, n)), rs)):
            return
        if len(info.tpls) < 8 or n in info.tpls:
            info.tpls[n] = (names, text)

    def dict_labels(self, d, rs):
        """The labels of an exact dict whose referents are its values in
        order (CPython's order when every key is a str), or each value then
        its key (other keys) with no key also a value, or None.  The same
        labels as labels_for's: each value, in order, takes the first
        unlabeled position that holds it, which is its own, and each key
        the one left that holds it."""
        n = len(rs)
        m = len(d)
        if m == 1:
            # The commonest: one item (no list of values, keys...).
            for k, v in _dict_items(d):
                if rs[0] is not v:
                    return None
                if n == 1:
                    return [self.key_label(k)]
                if n == 2 and rs[1] is k and v is not k:
                    return [self.key_label(k), '"<key>"']
            return None
        if n == m:
            vals = list(_dict_values(d))
            if len(vals) != n or not all(map(_is, rs, vals)):
                return None
            keys = list(d)
            if len(keys) != n:
                return None
            return self.key_labels(keys)
        if n != 2 * m:
            return None
        vals = list(_dict_values(d))
        keys = list(d)
        if (len(vals) != m or len(keys) != m or
                not all(map(_is, _islice(rs, 0, None, 2), vals)) or
                not all(map(_is, _islice(rs, 1, None, 2), keys)) or
                not set(map(id, vals)).isdisjoint(map(id, keys))):
            return None
        labels = ['"<key>"'] * n
        labels[0::2] = self.key_labels(keys)
        return labels

    def key_label(self, k):
        """The JSON text of "[key]" (labels_for's for a dict value)."""
        t = type(k)
        # Cached for keys whose equality is their text's: str, and short
        # tuples of str and None (not numbers: 1 == 1.0 == True).
        if t is str or (t is tuple and len(k) <= 4 and
                        all(type(x) is str or x is None for x in k)):
            kj = self.key_json
            lab = kj.get(k)
            if lab is None:
                lab = _j("[" + _key_text(k) + "]")
                if len(kj) < 100000:
                    kj[k] = lab
            return lab
        return _j("[" + _key_text(k) + "]")

    def key_labels(self, keys):
        n = len(keys)
        if all(map(_is, map(type, keys), _repeat(str, n))):
            labels = list(map(self.key_json.get, keys))
            if None not in labels:
                return labels
        return list(map(self.key_label, keys))

    def subclass_labels(self, o, t, rs, ids):
        """The labels of a list or tuple subclass without slots whose
        referents are its class then its items from the last (no instance
        attributes), when the items are distinct objects other than the
        class, or None.  labels_for gives the same: each item takes the one
        position that holds it, the class the one left."""
        n = len(rs)
        if rs[0] is not t:
            return None
        items = _list_copy(o) if issubclass(t, list) else _tuple_slice(o, slice(None))
        m = len(items)
        if m != n - 1:
            return None
        if not m:
            return ',"labels":[".__class__"]'
        if not all(map(_is, _islice(rs, 1, None), reversed(items))):
            return None
        s = set(_islice(ids, 1, None))
        if len(s) != m or ids[0] in s:
            return None
        return (',"labels":[".__class__",' +
                ",".join(reversed(self.idx_labels(m))) + "]")

    def labels_for(self, o, t, info, rs, ids):
        """JSON label texts (or 'null') for each referent of o, or None when
        all are null.  Each label goes to the first unlabeled position that
        holds the object it names (put)."""
        n = len(rs)
        labels = ["null"] * n
        left = n                # referents still unlabeled
        if n <= 32:
            # A labeled position's id becomes 0 (no object's).
            work = list(ids)
            put = _partial(_put_small, work, labels)
            held = work.count
        else:
            # Positions by id, each list in order, for long referent lists.
            work = None
            where = {}
            for i, k in enumerate(ids):
                if k in where:
                    where[k].append(i)
                else:
                    where[k] = [i]
            put = _partial(_put_where, where, labels)
            held = _partial(_held_where, where)
        kind = info.kind
        if kind == 2:
            key_label = self.key_label
            items = list(_dict_items(o))
            for k, v in items:
                put(v, key_label(k))
            left = labels.count("null")
            if left:
                for k, v in items:
                    put(k, '"<key>"')
                left = labels.count("null")
            items = None
            if not left:
                return labels
        elif kind == 3:
            items = _list_copy(o) if issubclass(t, list) else _tuple_slice(o, slice(None))
            il = self.idx_labels(len(items))
            for i, v in enumerate(items):
                put(v, il[i])
            items = None
            left = labels.count("null")
        if work is not None:
            # put(), inlined: the hot loop of instances with slots.
            for label, g in info.getters:
                try:
                    v = g(o)
                except Exception:
                    continue
                if v is not None:
                    k = id(v)
                    if k in work:
                        i = work.index(k)
                        work[i] = 0
                        labels[i] = label
                        left -= 1
                        if not left:
                            return labels
        else:
            for label, g in info.getters:
                try:
                    v = g(o)
                except Exception:
                    continue
                if v is not None and put(v, label):
                    left -= 1
                    if not left:
                        return labels
        v = None
        if info.is_type:
            if n and type(rs[0]) is dict and labels[0] == "null":
                labels[0] = '".__dict__"'
                left -= 1
            if info.heap and held(id(t)):
                put(t, '".__class__"')
                left -= 1
        elif info.heap:
            tid = id(t)
            if left > held(tid):
                # An instance __dict__ first when it is certainly one: the
                # attribute look-ups below cannot label it (attribute values
                # in a dict are the dict's referents, not o's).
                if info.has_dict and left - held(tid) == 1:
                    i = self.label_instance_dict(o, t, info, rs, labels)
                    if i is not None and put(rs[i], '".__dict__"'):
                        left -= 1
                if left > held(tid) and info.cands:
                    if info.found or info.misses < 16 or not (info.scans + 1) & 63:
                        self.label_attrs(o, t, info, put, held,
                                         _partial(labels.count, "null"))
                        left = labels.count("null")
                    else:
                        # Nothing learnt, not this instance's turn (see
                        # label_attrs): only count it.
                        info.scans += 1
            if work is not None:
                if tid in work:
                    i = work.index(tid)
                    work[i] = 0
                    labels[i] = '".__class__"'
                    left -= 1
            elif held(tid):
                put(t, '".__class__"')
                left -= 1
            if left and any(map(_is, map(type, rs), _repeat(dict, n))):
                i = self.label_instance_dict(o, t, info, rs, labels)
                if i is not None and put(rs[i], '".__dict__"'):
                    left -= 1
        elif t is _FunctionType:
            self.label_function_dicts(o, rs, labels)
            left = labels.count("null")
        elif t is types.FrameType:
            if n and type(rs[0]) is types.FrameType and labels[0] == "null":
                labels[0] = '".f_back"'
                left -= 1
        if left >= n and labels.count("null") == n:
            return None
        return labels

    def label_attrs(self, o, t, info, put, held, left):
        """Label instance attributes (inline values, slots) by identity.
        put: labels a referent (see labels_for); held(k): how many
        unlabeled positions hold the object of id k; left(): how many
        positions are unlabeled."""
        cands = info.cands
        if not cands:
            return
        found = info.found
        if not found and info.misses >= 16 and (info.scans + 1) & 63:
            # Nothing learnt and not this instance's turn (see below).
            info.scans += 1
            return
        class_vals = info.class_vals
        ok = info.getattr_ok

        def look(name):
            if ok:
                v = getattr(o, name, _MISSING)
            else:
                try:
                    v = _object_getattribute(o, name)
                except Exception:
                    return _MISSING
            if v is _MISSING:
                return v
            cv = class_vals.get(name)
            if cv is not None and cv == id(v):
                return _MISSING
            return v

        tid = id(t)

        # True while a referent other than the class is unlabeled (None
        # included: an attribute set to None is labeled like any other).
        def unlabeled():
            return left() > held(tid)

        labs = info.found_labels
        if ok and found:
            # The names found before, looked up in one pass (no code of
            # the program runs: getattr_ok, and none is a descriptor).
            nf = len(found)
            vals = list(map(getattr, _repeat(o, nf), found, _repeat(_MISSING, nf)))
            for i, v in enumerate(vals):
                if v is _MISSING:
                    continue
                cv = class_vals.get(found[i])
                if cv is not None and cv == id(v):
                    continue
                if put(v, labs[i]) and not unlabeled():
                    return
            vals = v = None
        else:
            for i, name in enumerate(found):
                v = look(name)
                if v is not _MISSING and put(v, labs[i]) and not unlabeled():
                    return
        # The other candidates: on every instance while they keep finding
        # names, then (a referent no name explains, instance after instance)
        # on every 64th, so that a rare attribute is still learnt.
        info.scans += 1
        if info.misses >= 16 and info.scans & 63:
            return
        fs = set(found)
        before = len(found)
        for name in cands:
            if name in fs:
                continue
            v = look(name)
            if v is not _MISSING:
                lab = _j("." + name)
                if put(v, lab):
                    found.append(name)
                    labs.append(lab)
                    fs.add(name)
                    if not unlabeled():
                        info.misses = 0
                        return
        if len(found) > before:
            info.misses = 0
        else:
            info.misses += 1
        # Last resort: attribute names used anywhere in the program's code.
        if info.pool_tries < 2 and self.pool_budget > 0:
            info.pool_tries += 1
            self.pool_budget -= 1
            pool = self.name_pool()
            cs = set(cands)
            before = len(found)
            in_class = set()
            for c in _type_mro(t):
                in_class.update(_type_dict(c))
            for name in pool:
                if name in cs or name in in_class:
                    continue
                v = look(name)
                if v is _MISSING:
                    continue
                lab = _j("." + name)
                if put(v, lab):
                    found.append(name)
                    labs.append(lab)
                    cands.append(name)
                    cs.add(name)
                    if not unlabeled():
                        break
            if len(found) > before:
                info.pool_tries = 0

    def name_pool(self):
        if self.pool is None:
            names = set()
            for o in self.objs:
                if type(o) is _FunctionType:
                    _code_names(_func_code(o), names)
            self.pool = sorted(n for n in names if type(n) is str
                               and not (n.startswith("__") and n.endswith("__")))
        return self.pool

    def label_instance_dict(self, o, t, info, rs, labels):
        """The position of a materialized instance __dict__ among the
        unlabeled referents (found without creating one), or None."""
        if not info.has_dict and not issubclass(t, BaseException):
            return None
        cand = [i for i, r in enumerate(rs) if labels[i] == "null" and type(r) is dict]
        if len(cand) != 1:
            return None
        d = rs[cand[0]]
        mro = None
        desc = info.desc
        checked = 0
        for k, v in _dict_items(d):
            if type(k) is not str:
                return None
            isdesc = desc.get(k)
            if isdesc is None:
                if mro is None:
                    mro = _type_mro(t)
                owner, cv = _mro_lookup(mro, k)
                isdesc = owner is not None and _is_descriptor(cv)
                cv = None
                if len(desc) < 4096:
                    desc[k] = isdesc
            if isdesc:
                continue
            try:
                got = _object_getattribute(o, k)
            except Exception:
                return None
            if got is not v:
                return None
            checked += 1
            if checked >= 3:
                break
        if checked == 0 and len(d):
            return None
        if checked == 0:
            # An empty dict: only call it the instance dict if nothing else
            # is left unexplained.
            if sum(1 for x in labels if x == "null") != 1:
                return None
        return cand[0]

    def label_function_dicts(self, f, rs, labels):
        cand = [i for i, r in enumerate(rs) if labels[i] == "null" and type(r) is dict]
        if not cand:
            return
        if len(cand) >= 2:
            labels[cand[0]] = '".__dict__"'
            labels[cand[1]] = '".__annotations__"'
            return
        d = rs[cand[0]]
        code = _func_code(f)
        params = set(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
        params.add("return")
        if len(d) and all(type(k) is str and k in params for k in d):
            labels[cand[0]] = '".__annotations__"'
        else:
            labels[cand[0]] = '".__dict__"'

    # -- one object ---------------------------------------------------------

    def info_of(self, t):
        info = self.infos.get(id(t))
        if info is None:
            info = _make_info(t)
            self.infos[id(t)] = info
        return info

    def head(self, o, t, info):
        """The fields before "refs": address, type, size, len, value, name."""
        if info.safe_size:
            try:
                size = _getsizeof(o)
            except Exception:
                size = 0
        else:
            try:
                size = _object_sizeof(o) + (_GC_HEADER if _is_tracked(o) else 0)
            except Exception:
                size = 0
        if info.plain == 1:
            return '{"address":%d,"type":%s,"size":%d' % (id(o), info.tname, size)
        if t is str:
            n = len(o)
            return '{"address":%d,"type":"str","size":%d,"len":%d,"value":%s' % (
                id(o), size, n, _j(o if n <= VALUE_MAX else _str_slice(o, slice(0, VALUE_MAX))))
        parts = ['{"address":%d,"type":%s,"size":%d' % (id(o), info.tname, size)]
        if info.has_len:
            parts.append(',"len":%d' % len(o))
        if t is str:
            parts.append(',"value":' + _j(o if len(o) <= VALUE_MAX else _str_slice(o, slice(0, VALUE_MAX))))
        elif t is int:
            if -(1 << 63) <= o < (1 << 63):
                parts.append(',"value":%d' % o)
            else:
                try:
                    s = str(o)
                except ValueError:
                    s = hex(o)
                if len(s) > VALUE_MAX:
                    s = s[:VALUE_MAX]
                parts.append(',"value":"%s"' % s)
        elif t is float:
            r = repr(o)
            if r in ("inf", "-inf", "nan"):
                parts.append(',"value":"%s"' % r)
            else:
                parts.append(',"value":' + r)
        elif t is bool:
            parts.append(',"value":true' if o else ',"value":false')
        elif o is None:
            parts.append(',"value":null')
        elif t is bytes:
            parts.append(',"value":' + _j(repr(o[:VALUE_MAX])))
        name = None
        try:
            if t is _FunctionType:
                name = _func_qualname(o)
            elif info.is_type:
                name = _type_qualname(o)
            elif t is _CodeType:
                name = getattr(o, "co_qualname", None) or o.co_name
            elif issubclass(t, _ModuleType):
                name = _dict_get(_module_dict(o), "__name__")
            elif t is _CellType:
                name = self.cellnames.get(id(o))
        except Exception:
            name = None
        if type(name) is str:
            parts.append(',"name":' + _j(name))
        return "".join(parts)

    def refs_json(self, o, t, info, rs, known, pending):
        """',"refs":[...]' and the labels (see labels_json) for o's referents rs, queueing
        those not known yet in pending (to be written later).  known: the
        ids of every object listed or queued, or with self.listed_tracked
        only those queued (every tracked object is listed then)."""
        if not rs:
            return ',"refs":[]'
        ids = list(map(id, rs))
        if self.listed_tracked:
            # Only the untracked referents can lack a line of their own.
            check = not known.issuperset(map(id, _filterfalse(_is_tracked, rs)))
        else:
            check = not known.issuperset(ids)
        if check:
            # The same as run()'s loop (see there).
            single = self.single
            one_ref_types = _ONE_REF_TYPES
            listed_tracked = self.listed_tracked
            for r in rs:
                if not (listed_tracked and _is_tracked(r)):
                    k = id(r)
                    if k not in known:
                        if _getrefcount(r) > single or type(r) not in one_ref_types:
                            known.add(k)
                        pending.append(r)
            r = None
        return (',"refs":[' + ",".join(map(str, ids)) + "]" +
                self.labels_json(o, t, info, rs, ids))

    # -- the whole heap -------------------------------------------------------

    def run(self, rcs, overhead, weak_of):
        objs = self.objs
        out = self.out
        write = out.write
        exclude = self.exclude
        self.listed_tracked = _listing_is_complete()
        known = set() if self.listed_tracked else set(map(id, objs))
        pending = []            # untracked objects to write later
        infos = self.infos
        info_of = self.info_of
        refs_json = self.refs_json
        head = self.head
        proxies = False
        unsafe = _unsafe_referents()
        site_text = self.site_text if self.traceback_of is not None else None
        # Free-variable names of closure cells.
        cellnames = self.cellnames
        for o in objs:
            t = type(o)
            if t is _FunctionType:
                cl = _func_closure(o)
                if cl:
                    for c, nm in zip(cl, _func_code(o).co_freevars):
                        cellnames[id(c)] = nm
            elif t is _PROXY_TYPES[0] or t is _PROXY_TYPES[1]:
                proxies = True
        if proxies:
            for o in objs:
                try:
                    ws = weakref.getweakrefs(o)
                except TypeError:
                    continue
                for w in ws:
                    if _one_of(type(w), _PROXY_TYPES):
                        weak_of[id(w)] = o
        count = 0
        buf = []
        listed_tracked = self.listed_tracked
        single = self.single = _calibrate_single()
        one_ref_types = _ONE_REF_TYPES
        labels_json = self.labels_json
        gc_header = _GC_HEADER
        for i, o in enumerate(objs):
            oid = id(o)
            if oid in exclude:
                continue
            t = type(o)
            info = infos.get(id(t))
            if info is None:
                info = info_of(t)
            rs = _get_referents(o) if oid not in unsafe else [_module_dict(o)]
            # head(), refs_json(), inlined for the commonest objects.
            plain = info.plain
            if plain:
                if info.safe_size:
                    try:
                        size = _getsizeof(o)
                    except Exception:
                        size = 0
                else:
                    try:
                        size = _object_sizeof(o) + (gc_header if _is_tracked(o) else 0)
                    except Exception:
                        size = 0
                if plain == 1:
                    hd = '{"address":%d,"type":%s,"size":%d' % (oid, info.tname, size)
                else:
                    hd = '{"address":%d,"type":%s,"size":%d,"len":%d' % (
                        oid, info.tname, size, len(o))
            else:
                hd = head(o, t, info)
            if rs:
                ids = list(map(id, rs))
                if listed_tracked:
                    # Only the untracked referents can lack a line of their own.
                    if not known.issuperset(map(id, _filterfalse(_is_tracked, rs))):
                        for r in rs:
                            if not _is_tracked(r):
                                k = id(r)
                                if k not in known:
                                    # An object only o refers to is met
                                    # once: no need to remember it.
                                    if _getrefcount(r) > single or type(r) not in one_ref_types:
                                        known.add(k)
                                    pending.append(r)
                        r = None
                elif not known.issuperset(ids):
                    for r in rs:
                        k = id(r)
                        if k not in known:
                            if _getrefcount(r) > single or type(r) not in one_ref_types:
                                known.add(k)
                            pending.append(r)
                    r = None
                line = '%s,"refcount":%d,"refs":[%s]%s' % (
                    hd, rcs[i] - overhead, ",".join(map(str, ids)),
                    ',"idx":-1' if t is list or t is tuple else
                    labels_json(o, t, info, rs, ids))
            else:
                line = '%s,"refcount":%d,"refs":[]' % (hd, rcs[i] - overhead)
            if site_text is None and not info.fin and not info.weak:
                buf.append(line + "}\n")
            else:
                parts = [line]
                if site_text is not None:
                    parts.append(site_text(o, buf.append))
                if info.fin:
                    parts.append(',"finalizer":true')
                if info.weak:
                    target = _ref_call(o) if info.weak == 1 else weak_of.get(oid)
                    if target is not None:
                        k = id(target)
                        parts.append(',"weak":[%d]' % k)
                        if k not in known and not (listed_tracked and _is_tracked(target)):
                            known.add(k)
                            pending.append(target)
                    target = None
                parts.append("}\n")
                buf.append("".join(parts))
            count += 1
            if len(buf) >= 2000:
                write("".join(buf))
                buf.clear()
            rs = None
        if buf:
            write("".join(buf))
            buf.clear()
        o = rs = None
        weak_of.clear()
        # Untracked objects (and tracked ones the collector does not see,
        # e.g. after gc.freeze()), recursively through their referents.
        # Their lines wait in the spill file for the reference counts,
        # which can only be taken at the end (see _dump_objects).
        spill = self.spill
        sbuf = []
        getsizeof = _getsizeof
        j = _j
        for o in pending:               # (grows while it is walked)
            t = type(o)
            # head() inlined for the commonest untracked objects (no
            # referents, no finalizer; the same text).
            if t is str:
                n = len(o)
                line = ('{"address":%d,"type":"str","size":%d,"len":%d,"value":%s,'
                        '"gc":false,"refs":[]' % (
                            id(o), getsizeof(o), n, j(o if n <= VALUE_MAX else o[:VALUE_MAX])))
            elif t is int and -(1 << 63) <= o < (1 << 63):
                line = '{"address":%d,"type":"int","size":%d,"value":%d,"gc":false,"refs":[]' % (
                    id(o), getsizeof(o), o)
            elif t is float:
                r = _float_repr(o)
                if r in ("inf", "-inf", "nan"):
                    r = '"%s"' % r
                line = '{"address":%d,"type":"float","size":%d,"value":%s,"gc":false,"refs":[]' % (
                    id(o), getsizeof(o), r)
            else:
                line = None
            if line is not None:
                if site_text is not None:
                    line += site_text(o, write)
                sbuf.append(line + "\n")
                if len(sbuf) >= 2000:
                    spill.write("".join(sbuf))
                    sbuf.clear()
                continue
            info = infos.get(id(t))
            if info is None:
                info = info_of(t)
            if _is_tracked(o):          # frozen
                line = head(o, t, info) + ',"gc":false,"frozen":true,"refs":[]'
            else:
                rs = _get_referents(o)
                if rs:
                    line = head(o, t, info) + ',"gc":false' + refs_json(
                        o, t, info, rs, known, pending)
                else:
                    line = head(o, t, info) + ',"gc":false,"refs":[]'
            if site_text is not None:
                # Before the spilled lines, which follow the tracked ones.
                line += site_text(o, write)
            if info.fin:
                line += ',"finalizer":true'
            sbuf.append(line + "\n")
            if len(sbuf) >= 2000:
                spill.write("".join(sbuf))
                sbuf.clear()
            rs = None
        spill.write("".join(sbuf))
        o = rs = sbuf = None
        return count, pending


def _listing_is_complete():
    """True when every object the collector tracks during the dump is in
    the gc.get_objects() list taken at its start, so that a tracked
    referent needs no look-up (and the dumper no set of every object's
    id: about 60 bytes per object).  That holds when nothing is frozen
    (frozen objects are tracked but not listed), no other thread has a
    Python frame (one could link a new object into a listed one while the
    dump writes), and no trace or profile function or sys.monitoring tool
    is set (which can materialize the dumper's own frames, whose locals
    are created after the listing).  Otherwise the dumper keeps the set."""
    if getattr(gc, "get_freeze_count", lambda: 1)() != 0:
        return False
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return False
    mon = getattr(sys, "monitoring", None)
    if mon is not None:
        try:
            if any(mon.get_tool(i) is not None for i in range(6)):
                return False
        except Exception:
            return False
    cf = getattr(sys, "_current_frames", None)
    return cf is not None and len(cf()) <= 1


# Untracked referents whose only reference is the one being written are
# met once in the walk: the dumper queues them without remembering their
# ids (a set entry and an int each).  Only types no weak reference can
# target (a weak reference's target is queued by id too).
_ONE_REF_TYPES = frozenset((str, int, float, complex, bytes, tuple, dict))


def _calibrate_single():
    """sys.getrefcount of a referent r in run()'s and refs_json()'s loops
    (`for r in rs`, rs a gc.get_referents list) when one object refers to
    it and nothing else does; -1 (every referent remembered) if a probe
    held twice does not count one more."""
    h = [object()]
    rs = _get_referents(h)
    one = two = -1
    for r in rs:
        if not _is_tracked(r):
            one = _getrefcount(r)
    h.append(h[0])
    rs = _get_referents(h)
    for r in rs:
        if not _is_tracked(r):
            two = _getrefcount(r)
            break
    return one if one > 0 and two == one + 2 else -1


def _calibrate():
    """References sys.getrefcount sees beyond the program's own, when it is
    mapped over a list: measured on an object whose true count we know."""
    probe = object()                 # held by this local only
    plist = [probe]
    r = list(map(_getrefcount, plist))[0]
    return r - 1


def _create_temp(path, mode=os.O_WRONLY):
    """(fd, name) of a new file beside path, created with O_EXCL."""
    flags = mode | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    base = "%s.tmp%d" % (path, os.getpid())
    for i in range(100):
        tmp = base if i == 0 else "%s.%d" % (base, i)
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError("cannot create a temporary file beside '%s'" % path)


def _open_spill(path):
    """A temporary text file for the untracked objects' lines, already
    unlinked: beside path (a path target) or in $TMPDIR or /tmp."""
    if path is None:
        path = os.path.join(os.environ.get("TMPDIR") or "/tmp", "cycletool_dump")
    fd, name = _create_temp(path + ".untracked", os.O_RDWR)
    try:
        os.unlink(name)
        return open(fd, "w+", encoding="utf-8", newline="\n", buffering=1 << 20)
    except BaseException:
        os.close(fd)
        raise


def _open_target(file, temp=None):
    """(out, path, tmp): the stream to write and, for a path, the path and
    the temporary the stream writes (temp: an (fd, tmp) made already)."""
    if hasattr(file, "write"):
        return file, None, None
    path = os.fspath(file)
    fd, tmp = temp if temp is not None else _create_temp(path)
    try:
        f = open(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    return f, path, tmp


# -- the dump's sequence number ---------------------------------------------
#
# Every dump() of a process takes the next number, from 1 (the header's
# "seq"), so that dumps of one process can be put in order whatever their
# file names and clocks say.  A child made by os.fork() is another process
# and counts from 1 again.  next() on an itertools.count is one call into
# C, so a dump started by a signal handler in the middle of another
# dump() still gets a number of its own; the lock is re-entrant for the
# same reason (the handler runs in the thread it interrupted).

_seq_lock = _thread.RLock()
_seq_state = [os.getpid(), itertools.count(1)]     # [pid, numbers to hand out]


def _seq_reset():
    global _seq_lock, _seq_state
    # The parent's lock may have been held by a thread that does not exist
    # in the child: a fresh one.
    _seq_lock = _thread.RLock()
    _seq_state = [os.getpid(), itertools.count(1)]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_seq_reset)


def _next_seq():
    """(pid, seq) for a dump that starts now."""
    pid = os.getpid()
    with _seq_lock:
        state = _seq_state
        if state[0] != pid:
            # A child made without os.fork() (a C extension's fork()).
            # Its own int, so that the dump's local `pid` adds nothing to
            # the count of an object in the heap.
            state[0] = os.getpid()
            state[1] = itertools.count(1)
        return pid, next(state[1])


def dump(file, *, fork=False, _exclude=None):
    """Write a dump of the calling process's heap to file.

    file is a path (str or os.PathLike; written to a temporary file in the
    same directory and renamed into place when complete) or a text file
    object open for writing.  Returns the number of object lines written.
    The cycle collector is disabled while dumping and restored afterwards;
    it is never run.  The header says which process wrote the dump ("pid"),
    which of its dumps this is ("seq": 1 for the first dump() call of the
    process, a call that fails uses up its number too) and when ("time").

    With fork=True (file must be a path) the process forks: the child
    writes the dump of the heap as it was at the fork, renames it into
    place and exits with os._exit (status 0 when the dump is complete);
    dump() returns the child's pid at once, for os.waitpid.  The header
    then has the parent's pid and dump number and "forked": true.
    """
    if fork:
        return _fork_dump(file, _exclude)
    pid, seq = _next_seq()
    enabled = gc.isenabled()
    gc.disable()
    try:
        objs = gc.get_objects()
        return _dump_objects(objs, file, _exclude, pid, seq)
    finally:
        if enabled:
            gc.enable()


def _dump_objects(objs, file, exclude, pid, seq, temp=None):
    global _GC_HEADER
    # First of all, before the dumper holds anything else: reference counts.
    overhead = _calibrate()
    rcs = list(map(_getrefcount, objs))
    if hasattr(file, "write"):
        # dump()'s and this function's parameters hold the file object.
        for i, o in enumerate(objs):
            if o is file:
                rcs[i] -= 2
                break
        o = None
    if _GC_HEADER is None:
        probe = []
        _GC_HEADER = _getsizeof(probe) - probe.__sizeof__()
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    out, path, tmp = _open_target(file, temp)
    spill = None
    try:
        exclude_ids = set(exclude or ())
        if exclude_ids:
            # Keep an excluded object if some other object refers to it.
            for o in objs:
                if _one_of(type(o), (types.FrameType, types.TracebackType)):
                    for r in _get_referents(o):
                        if id(r) in exclude_ids:
                            exclude_ids.discard(id(r))
            o = r = None
        header = ('{"cycletool_dump":%d,"python":%s,"implementation":%s,'
                  '"pid":%d,"seq":%d,%s"argv":[%s],"time":%r}\n' % (
                      FORMAT_VERSION, _j(sys.version.split()[0]),
                      _j(sys.implementation.name), pid, seq,
                      '"forked":true,' if temp is not None else "",
                      ",".join(_j(str(a)) for a in sys.argv), time.time()))
        out.write(header)
        spill = _open_spill(path)
        d = _Dumper(objs, out, exclude_ids)
        d.spill = spill
        if _tracemalloc is not None and _tracemalloc.is_tracing():
            d.traceback_of = _tracemalloc._get_object_traceback
        weak_of = {}
        count, pending = d.run(rcs, overhead, weak_of)
        d = weak_of = None
        rcs = None
        # Untracked objects are held by `pending` only (plus the program):
        # their counts are taken now that every other dumper structure that
        # could hold them is gone.
        urcs = list(map(_getrefcount, pending))
        pending = None
        spill.flush()
        spill.seek(0)
        buf = []
        i = 0
        for line in spill:
            buf.append('%s,"refcount":%d}\n' % (line[:-1], urcs[i] - overhead))
            i += 1
            if len(buf) >= 2000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
        if i != len(urcs):
            raise OSError("the spill file of untracked objects was cut short")
        count += i
        spill.close()
        spill = None
        out.write('{"cycletool_dump_end":%d,"objects":%d}\n' % (FORMAT_VERSION, count))
        out.flush()
        if tmp is not None:
            out.close()
            os.replace(tmp, path)
            tmp = None
        return count
    finally:
        sys.setswitchinterval(switch)
        if spill is not None:
            spill.close()
        if tmp is not None:
            try:
                out.close()
            finally:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


# -- fork mode -----------------------------------------------------------------
#
# The parent's pause is the fork itself (copying the page tables) plus the
# creation of the temporary file, so that an unwritable directory is an
# OSError of the call, not a silent failure of the child.  The child is a
# copy of the heap at the fork; only the forking thread runs in it.  It
# never returns into the caller's code: whatever happens, os._exit, so no
# atexit handler, no finally block of the caller and no flush of the
# parent's stdio buffers runs twice.


class _ChildSignal(BaseException):
    pass


_child_stopping = []


def _child_signal(signum, frame):
    # Once: a second signal must not interrupt the cleanup of the first.
    if not _child_stopping:
        _child_stopping.append(signum)
        raise _ChildSignal(signum)


def _child_signals(signal):
    """The program's Python signal handlers (and SIGTERM, SIGHUP's default
    of dying at once) become: stop dumping, remove the temporary, exit.
    signal: the module, imported before the fork (no import in the child)."""
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        try:
            h = signal.getsignal(sig)
        except (ValueError, OSError):
            continue
        if h is not signal.SIG_IGN:
            signal.signal(sig, _child_signal)
    for sig in signal.valid_signals():
        try:
            h = signal.getsignal(sig)
        except (ValueError, OSError):
            continue
        if callable(h) and h is not _child_signal:
            try:
                signal.signal(sig, _child_signal)
            except (ValueError, OSError):
                pass


def _fork_dump(file, exclude):
    if hasattr(file, "write"):
        raise TypeError("dump(fork=True) needs a path, not a file object")
    import signal
    path = os.fspath(file)
    pid, seq = _next_seq()
    fd, tmp = _create_temp(path)
    # Signals stay blocked across the fork until the child has its own
    # handlers: none of the program's may run in the child.  (Signals the
    # parent had caught but not handled yet are dropped in the child by
    # CPython's after-fork code, and handled in the parent as usual.)
    mask = None
    sigmask = getattr(signal, "pthread_sigmask", None)
    try:
        if sigmask is not None:
            # The current mask first (changing nothing), so that it can be
            # restored even if a handler raises out of the second call.
            mask = sigmask(signal.SIG_BLOCK, ())
            sigmask(signal.SIG_BLOCK, signal.valid_signals())
        child = os.fork()
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        if mask is not None:
            sigmask(signal.SIG_SETMASK, mask)
        raise
    if child:
        os.close(fd)
        if mask is not None:
            # A signal that came during the fork is handled here; should its
            # handler raise, the exception wins and the child goes on alone.
            sigmask(signal.SIG_SETMASK, mask)
        return child
    # The child: never leaves this function.
    status = 1
    try:
        _child_signals(signal)
        if mask is not None:
            sigmask(signal.SIG_SETMASK, mask)
        gc.disable()
        _dump_objects(gc.get_objects(), path, exclude, pid, seq, (fd, tmp))
        status = 0
    except _ChildSignal as e:
        status = 128 + e.args[0]
    except BaseException as e:
        try:
            os.write(2, ("cycletool_dump: cannot write '%s': %s\n" % (
                path, e)).encode("utf-8", "backslashreplace"))
        except BaseException:
            pass
    finally:
        try:
            if status:
                # Stopped before _dump_objects opened the file, where its
                # own cleanup does not reach.
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        finally:
            os._exit(status)


# -- dumping on a signal ------------------------------------------------------

_signal_state = {"busy": False, "n": 0, "children": []}


def _reap_children():
    """Wait for the forked dumpers that have finished (no zombies)."""
    kids = _signal_state["children"]
    for pid in list(kids):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:      # reaped by someone else
            done = pid
        if done:
            kids.remove(pid)


def _expand(template, n):
    return template.format(pid=os.getpid(), n=n, time=int(time.time()))


def install_signal_handler(signum, path_template, *, chain=False, fork=False):
    """Dump the heap whenever the process receives signal signum.

    path_template may contain {pid}, {n} (1 for the first dump this handler
    writes, 2 for the next...; the header's "seq" counts every dump of the
    process) and {time} (seconds since the epoch); without them each dump
    replaces the previous one.  Returns the previous handler.  If chain is
    true and the previous handler is a Python callable it is called after
    the dump.  A signal that arrives while a dump is being written is ignored.
    With fork=True each dump is written by a forked child (see dump()); the
    handler waits for the children that have finished at its next call.
    """
    import signal
    prev = signal.getsignal(signum)

    def handler(sig, frame):
        # The frame object exists only because a Python handler runs: keep
        # it out of the dump and drop our reference before dumping.
        fid = id(frame)
        frame = None
        if not _signal_state["busy"]:
            _signal_state["busy"] = True
            try:
                _signal_state["n"] += 1
                target = _expand(path_template, _signal_state["n"])
                if fork:
                    _reap_children()
                    _signal_state["children"].append(
                        dump(target, fork=True, _exclude=(fid,)))
                else:
                    dump(target, _exclude=(fid,))
            except Exception as e:     # never kill the program for a dump
                sys.stderr.write("cycletool_dump: dump failed: %s\n" % e)
                e = None
            finally:
                _signal_state["busy"] = False
        if chain and callable(prev):
            prev(sig, None)

    signal.signal(signum, handler)
    return prev


# -- python3 -m cycletool_dump ------------------------------------------------

_USAGE = """\
usage: python3 -m cycletool_dump -o OUT [--signal SIG [--at-exit]] [--fork] -- script.py [args...]

Run script.py as __main__ and write a cycletool heap dump to OUT when it ends
(normally, by sys.exit() or by an uncaught exception; the exit status is kept).

  -o, --output OUT   where to write the dump
  --signal SIG       dump whenever the process gets signal SIG (USR1, SIGUSR2,
                     10...) instead of at exit; OUT may contain {pid}, {n}
                     and {time}
  --at-exit          with --signal: also dump when the script ends
  --fork             write each dump from a forked child (the process pauses
                     only for the fork); at exit the process waits for it
  -h, --help         show this help
"""


def _parse_signal(text):
    import signal
    t = text.upper()
    if t.isdigit():
        return int(t)
    if not t.startswith("SIG"):
        t = "SIG" + t
    s = getattr(signal, t, None)
    if not isinstance(s, int):
        raise ValueError(text)
    return int(s)


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    out = None
    sig = None
    at_exit = False
    fork = False
    while args:
        a = args.pop(0)
        if a == "--":
            break
        if a in ("-h", "--help"):
            sys.stdout.write(_USAGE)
            return 0
        if a in ("-o", "--output") and args:
            out = args.pop(0)
        elif a.startswith("--output="):
            out = a.split("=", 1)[1]
        elif a == "--signal" and args:
            try:
                sig = _parse_signal(args.pop(0))
            except ValueError as e:
                sys.stderr.write("cycletool_dump: unknown signal '%s'\n" % e)
                return 2
        elif a == "--at-exit":
            at_exit = True
        elif a == "--fork":
            fork = True
        elif not a.startswith("-"):
            args.insert(0, a)
            break
        else:
            sys.stderr.write("cycletool_dump: unknown option '%s'\n%s" % (a, _USAGE))
            return 2
    if out is None or not args:
        sys.stderr.write(_USAGE)
        return 2
    script = args[0]
    try:
        with io.open_code(script) as f:
            source = f.read()
    except OSError as e:
        sys.stderr.write("cycletool_dump: cannot open '%s': %s\n" % (script, e.strerror))
        return 2
    if sig is not None:
        install_signal_handler(sig, out, fork=fork)
    dump_at_exit = sig is None or at_exit
    return _run_script(script, source, args, out, dump_at_exit, fork)


def _run_script(script, source, args, out, dump_at_exit, fork=False):
    import builtins
    code = compile(source, script, "exec", dont_inherit=True)
    source = None
    mod = types.ModuleType("__main__")
    g = _module_dict(mod)
    g["__file__"] = script
    g["__builtins__"] = builtins
    g["__cached__"] = None
    g["__loader__"] = None
    g["__spec__"] = None
    sys.modules["__main__"] = mod
    sys.argv[:] = args
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    mod = None
    try:
        exec(code, g)
    except SystemExit:
        g = code = None
        if dump_at_exit:
            _exit_dump(out, fork)
        raise
    except KeyboardInterrupt:
        g = code = None
        if dump_at_exit:
            _exit_dump(out, fork)
        raise
    except BaseException:
        g = code = None
        if dump_at_exit:
            _exit_dump(out, fork)
        et, ev, tb = sys.exc_info()
        # Report as Python would, without this module's frame.
        if tb is not None and ev is not None:
            tb = tb.tb_next
            ev.__traceback__ = tb
        sys.excepthook(et, ev, tb)
        et = ev = tb = None
        return 1
    g = code = None
    if dump_at_exit:
        _exit_dump(out, fork)
    return 0


def _exit_dump(out, fork=False):
    target = _expand(out, 1) if "{" in out else out
    try:
        if not fork:
            dump(target)
            return
        child = dump(target, fork=True)
        # The child reports its own failure on stderr.
        while True:
            try:
                os.waitpid(child, 0)
                break
            except InterruptedError:      # pragma: no cover (PEP 475)
                continue
    except Exception as e:
        sys.stderr.write("cycletool_dump: cannot write '%s': %s\n" % (out, e))
        e = None
