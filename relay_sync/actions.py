"""Blocking Actions: handles on running components, as returned by ``call.*_async``.

``stop()``, ``pause()``, ``resume()``, ``volume()`` and ``wait()`` block
until the service answers (``wait()`` until the component ends);
``completed``, ``state``, ``result``, ``control_id`` and ``payload`` are
plain reads that never block. The classes are generated from relay_anyio's
component declarations into ``relay_sync/_generated.py``.
"""

from ._generated import *  # noqa: F403 - the Actions (and Results), listed in _generated.__all__
