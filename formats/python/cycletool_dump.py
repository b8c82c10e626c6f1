"""Write a cycletool dump of this Python process's heap (cycletool-dump(5)).

    import cycletool_dump
    cycletool_dump.dump("app.jsonl")
    python3 -m cycletool_dump -o app.jsonl -- app.py [args]

This file only checks the Python version, in code that every Python down
to 2.7 can read, so that an older one says so in one line instead of a
SyntaxError; the dumper itself is _cycletool_dump.py beside it, which
`import cycletool_dump` returns (the same module object, one state).
"""

import sys

_MIN = (3, 8)

if sys.version_info[:2] < _MIN:
    _msg = "cycletool_dump: Python %d.%d or newer is needed, this is %d.%d.%d" % (
        _MIN + tuple(sys.version_info[:3]))
    if __name__ == "__main__":
        sys.stderr.write(_msg + "\n")
        sys.exit(2)
    raise ImportError(_msg)

if __name__ == "__main__":
    # python3 -m cycletool_dump: run the importable module, not a __main__
    # copy, so that a script that imports cycletool_dump shares its state.
    import os
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cycletool_dump as _real
    del sys.path[0]
    sys.exit(_real.main())
else:
    import _cycletool_dump
    sys.modules[__name__] = _cycletool_dump
