# ergate preamble entry, run as: python3 preamble.py <script> [args...]
# The work is in _ergate_preamble.py (read its header). It is imported rather than run so that
# Python caches its bytecode in __pycache__: compiling it for every script cost ~1-2 ms. The
# cache is written even under PYTHONDONTWRITEBYTECODE (restored before the script runs): that
# setting is about the user's modules, and this file is ergate's own, written once per
# interpreter version (never, harmlessly, when the folder is read-only).
# sys.path[0] is this folder here unless PYTHONSAFEPATH is set; the preamble then makes it
# the script's folder, exactly as `python3 script.py` would.
import sys
_write = sys.dont_write_bytecode
sys.dont_write_bytecode = False
sys.path.insert(0, __file__.rpartition('/')[0] or '.')
import _ergate_preamble
del sys.path[0], sys.modules['_ergate_preamble']
sys.dont_write_bytecode = _write
_ergate_preamble.main(__file__)
