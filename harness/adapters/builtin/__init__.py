"""Built-in adapters; importing this package registers them."""

from harness.adapters.builtin import instagram  # noqa: F401
from harness.adapters.builtin import exec  # noqa: F401
from harness.adapters.builtin import http  # noqa: F401
from harness.adapters.builtin import openai  # noqa: F401
from harness.adapters.builtin import python  # noqa: F401
from harness.adapters.builtin import recorded  # noqa: F401
